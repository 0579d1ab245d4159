using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace McpOrch.Testing;

/// <summary>
/// An MCP server started over stdio by the official TypeScript SDK client, as Cursor, Cline, Claude Desktop and VS Code
/// start theirs: with the SDK's own environment, and ended the way they end it (<see cref="EndAsync"/>).
/// </summary>
public sealed class TypeScriptStdioClient : IAsyncDisposable
{
    readonly Process _node;
    readonly StringBuilder _stderr = new();

    TypeScriptStdioClient(Process node) => _node = node;

    /// <summary>What the client saw: <c>pid</c>, <c>serverInfo</c>, <c>tools</c> (names), <c>results</c> (texts of the calls).</summary>
    public JsonObject Connected { get; private set; } = null!;

    /// <summary>The server's pid.</summary>
    public int Pid => Connected["pid"]!.GetValue<int>();

    /// <summary>Everything the server wrote to stderr: what an AI client shows in its MCP log.</summary>
    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>
    /// Starts <paramref name="command"/> in <paramref name="workingDirectory"/> with <paramref name="environment"/> (on top
    /// of the SDK's default environment), lists its tools and calls <paramref name="tool"/> <paramref name="calls"/> times
    /// at once.
    /// </summary>
    public static async Task<TypeScriptStdioClient> StartAsync(McpServersFixture servers, string workingDirectory, IEnumerable<string> command,
        IReadOnlyDictionary<string, string>? environment = null, string? tool = null, string arguments = "{}", int calls = 1)
    {
        List<string> options = [.. (environment ?? new Dictionary<string, string>()).SelectMany(e => new[] { "--env", $"{e.Key}={e.Value}" })];
        if (tool is not null)
            options.AddRange(["--tool", tool, "--arguments", arguments, "--calls", calls.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var start = servers.StdioClient(options, command).ToStartInfo();
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        var client = new TypeScriptStdioClient(Process.Start(start)!);
        client._node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (client._stderr) client._stderr.AppendLine(e.Data);
        };
        client._node.BeginErrorReadLine();
        client.Connected = await client.ReadAsync("connect");
        return client;
    }

    /// <summary>
    /// Ends the server as <paramref name="how"/> says — <c>close</c> (the SDK's close: stdin closed, SIGTERM after 2 s,
    /// SIGKILL 2 s later), <c>term</c> or <c>kill</c> — and returns how it ended: <c>code</c>, <c>signal</c>, <c>seconds</c>.
    /// </summary>
    public async Task<JsonObject> EndAsync(string how)
    {
        await _node.StandardInput.WriteLineAsync(how);
        await _node.StandardInput.FlushAsync();
        return await ReadAsync(how);
    }

    async Task<JsonObject> ReadAsync(string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            var line = await _node.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The TypeScript client exited during '{what}' (code {(_node.WaitForExit(5000) ? _node.ExitCode : -1)}):\n{Stderr}");
            return JsonNode.Parse(line)!.AsObject();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The TypeScript client did not finish '{what}' within a minute:\n{Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node.Dispose();
    }
}
