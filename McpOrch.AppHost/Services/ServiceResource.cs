using System.Diagnostics;
using McpOrch.AppHost.BackingServers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpOrch.AppHost.Services;

/// <summary>
/// One service replica run by the AppHost: started from its build output with the Aspire environment, healthy once
/// its <c>/health</c> answers 200, restarted with backoff (1 s doubling to 30 s) when it exits on its own, and stopped
/// by pid (SIGTERM, then its whole tree killed if it lingers).
/// </summary>
public sealed partial class ServiceResource : IAsyncDisposable
{
    static readonly TimeSpan HealthTimeout = TimeSpan.FromMinutes(2);
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);
    static readonly TimeSpan FirstRestartDelay = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    readonly string _entryAssembly;
    readonly IReadOnlyDictionary<string, string> _environment;
    readonly string _workingDirectory;
    readonly IReadOnlyList<string> _arguments;
    readonly Action<string, string> _output;
    readonly Action _changed;
    readonly ILogger _logger;
    readonly CancellationTokenSource _stopping = new();
    readonly HashSet<int> _processIds = [];
    readonly bool _picksPort;
    ServerProcess? _process;
    Task _supervision = Task.CompletedTask;

    /// <param name="name">The resource name.</param>
    /// <param name="entryAssembly">The service's built entry assembly, run with <c>dotnet</c>.</param>
    /// <param name="port">The loopback port it listens on (<c>--urls</c>); 0 for one picked free.</param>
    /// <param name="environment">Added to the AppHost's own environment.</param>
    /// <param name="workingDirectory">Its current folder: where it finds mcp-config.json and config.yaml.</param>
    /// <param name="arguments">Its command line, after <c>--urls</c>.</param>
    /// <param name="output">Gets each output line with the resource name.</param>
    /// <param name="changed">Called after each change of <see cref="Snapshot"/>.</param>
    /// <param name="logger">For the AppHost's own lines about the resource.</param>
    public ServiceResource(string name, string entryAssembly, int port, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        IReadOnlyList<string> arguments, Action<string, string> output, Action changed, ILogger logger)
    {
        Name = name;
        _entryAssembly = entryAssembly;
        _picksPort = port == 0;
        Url = new Uri($"http://127.0.0.1:{(_picksPort ? LoopbackPort.FindFree() : port)}");
        _environment = environment;
        _workingDirectory = workingDirectory;
        _arguments = arguments;
        _output = output;
        _changed = changed;
        _logger = logger;
        Snapshot = new ResourceSnapshot(name, ResourceState.Waiting, null, Url.ToString());
    }

    public string Name { get; }
    public Uri Url { get; private set; }
    public ResourceSnapshot Snapshot { get; private set; }

    /// <summary>Every process this resource ran, for checking that none outlives the AppHost.</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get { lock (_processIds) return [.. _processIds]; }
    }

    /// <summary>Starts the service, waits until it is healthy, and then keeps it running.</summary>
    /// <exception cref="BackingServerException">The build output is missing, or the service exited or never became healthy.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_entryAssembly))
            throw new BackingServerException($"{Name}: {_entryAssembly} does not exist: build the solution (dotnet build), or run the AppHost with dotnet run --project McpOrch.AppHost, which builds it.");
        for (var attempt = 1; ; attempt++)
            try
            {
                await LaunchAsync(cancellationToken);
                break;
            }
            catch (BackingServerException e) when (_picksPort && attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took the free port between its choice and the bind: choose another.
                LogPortTaken(_logger, Name, Url.Port);
                Url = new Uri($"http://127.0.0.1:{LoopbackPort.FindFree()}");
            }
        _supervision = SuperviseAsync();
    }

    async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("dotnet") { WorkingDirectory = _workingDirectory };
        startInfo.ArgumentList.Add(_entryAssembly);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add(Url.ToString());
        foreach (var argument in _arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in _environment)
            startInfo.Environment[name] = value;
        _process = ServerProcess.Start(Name, startInfo, NullLogger.Instance, line => _output(Name, line));
        lock (_processIds)
            _processIds.Add(_process.Id);
        Update(ResourceState.Starting);
        // Each /health request may take as long as the service's checks do: on a busy machine a first database check can
        // take seconds, and a probe that gave up would cancel it, which the service logs as a failed check.
        using var http = new HttpClient { BaseAddress = Url, Timeout = Timeout.InfiniteTimeSpan };
        await Readiness.WaitAsync(_process, async ct =>
        {
            using var response = await http.GetAsync("/health", ct);
            return response.IsSuccessStatusCode;
        }, HealthTimeout, cancellationToken, probeTimeout: Timeout.InfiniteTimeSpan);
        lock (_processIds)
            _processIds.UnionWith(_process.CaptureTree().ProcessIds);
        Update(ResourceState.Running);
    }

    /// <summary>Waits for the process to exit on its own, and starts it again after a pause that grows while it keeps crashing.</summary>
    async Task SuperviseAsync()
    {
        var delay = FirstRestartDelay;
        var restarts = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var started = Stopwatch.StartNew();
            try
            {
                await _process!.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var reason = $"exited with code {_process.ExitCode}";
            LogCrashed(_logger, Name, _process.Id, _process.ExitCode, delay.TotalSeconds);
            Update(ResourceState.Crashed, reason, restarts);
            // A service that ran a while before crashing starts over with a short pause.
            if (started.Elapsed > MaxRestartDelay)
                delay = FirstRestartDelay;
            try
            {
                await Task.Delay(delay, _stopping.Token);
                await _process.DisposeAsync();
                restarts++;
                await LaunchAsync(_stopping.Token);
                Snapshot = Snapshot with { Restarts = restarts, Detail = null };
                _changed();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (BackingServerException e)
            {
                LogRestartFailed(_logger, Name, e.Message);
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
        }
    }

    /// <summary>Stops the service (SIGTERM; its tree is killed if it lingers) and its supervision.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _supervision;
        if (_process is not null)
        {
            try
            {
                await _process.StopAsync(null, StopGrace, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The AppHost's shutdown timeout passed: the tree was killed instead.
            }
        }
        Update(ResourceState.Stopped);
    }

    /// <summary>Kills the current process (SIGKILL), as a crash would: the supervision restarts it.</summary>
    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    void Update(ResourceState state, string? detail = null, int? restarts = null)
    {
        Snapshot = Snapshot with
        {
            State = state,
            Pid = state is ResourceState.Starting or ResourceState.Running ? _process?.Id : null,
            Detail = detail,
            Restarts = restarts ?? Snapshot.Restarts,
        };
        _changed();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
            await StopAsync(CancellationToken.None);
        if (_process is not null)
            await _process.DisposeAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: pid {Pid} exited with code {ExitCode}; restarting in {Delay} s")]
    static partial void LogCrashed(ILogger logger, string name, int pid, int exitCode, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: the restart failed: {Reason}")]
    static partial void LogRestartFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: port {Port} was taken before it could listen there; trying another")]
    static partial void LogPortTaken(ILogger logger, string name, int port);
}
