using System.Diagnostics;
using System.Text;
using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>One of the solution's services, started from its build output as a real process.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The project it was started from.</summary>
    public string Name { get; }

    public Uri BaseAddress { get; private init; } = null!;
    public int Id => _process.Id;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts <paramref name="project"/> listening on a free loopback port, in <paramref name="workingDirectory"/>.</summary>
    public static ServiceProcess Start(string project, string workingDirectory, params string[] args)
    {
        var port = FreePort();
        return Start(project, workingDirectory, port, ["--urls", $"http://127.0.0.1:{port}", .. args]);
    }

    /// <summary>Starts <paramref name="project"/> on a free loopback port with <paramref name="environment"/> added to its environment.</summary>
    public static ServiceProcess Start(string project, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        return Start(project, workingDirectory, port, ["--urls", $"http://127.0.0.1:{port}"], environment);
    }

    /// <summary>Starts <paramref name="project"/> with exactly <paramref name="args"/>; it is expected on <paramref name="port"/>.</summary>
    public static ServiceProcess Start(string project, string workingDirectory, int port, string[] args,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Single-process batch runs keep their database here, not in the user's data folder.
        info.Environment["MCP_ORCH_DATA_DIR"] = Path.Combine(workingDirectory, ".mcp-orch-data");
        info.Environment["API_KEY"] = TestCredentials.AdminKey;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        info.ArgumentList.Add(EntryAssembly(project));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        // The dashboard's static assets are found from its own folder.
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(Path.GetDirectoryName(EntryAssembly(project))!);

        var service = new ServiceProcess(Process.Start(info)!, project) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        service._process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Polls <paramref name="path"/> until it answers, the process exits, or a minute passes.</summary>
    public async Task<HttpResponseMessage> WaitForAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                return await http.GetAsync(path, timeout.Token);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>
    /// Polls <c>/health</c> until it says Healthy (200): a service answers 503 while its clients still connect. Throws
    /// with the last answer and the output when a minute passes or the process exits.
    /// </summary>
    public async Task<HttpResponseMessage> WaitHealthyAsync()
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(100))
        {
            var response = await WaitForAsync("/health");
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
                return response;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{Name} did not become healthy: {await response.Content.ReadAsStringAsync()}\n{Output}");
            response.Dispose();
        }
    }

    /// <summary>Sends SIGTERM, as a container runtime or the AppHost does, and waits for the exit.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>
    /// SIGKILL: the process gets no chance to clean up. Its descendants (its stdio MCP servers) go with it, as they
    /// would with a container that is killed.
    /// </summary>
    public async Task KillAsync()
    {
        var tree = ProcessTree.Capture(_process.Id);
        _process.Kill();
        await WaitForExitAsync();
        tree.KillSurvivors();
    }

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    static string EntryAssembly(string project) =>
        project == "Proxy.Api" ? BuildOutput.McpOrch : BuildOutput.EntryAssembly(project, $"{project}.dll");

    public static int FreePort() => LoopbackPort.FindFree();
}
