using System.Net;
using System.Net.Sockets;
using McpOrch.LocalServers;
using McpOrch.Testing;

namespace McpOrch.IntegrationTests;

/// <summary>The launchers' promises: nothing outlives a stop, and a missing binary says how to install it.</summary>
public sealed class BackingServerLifecycleTests
{
    [Fact]
    public void Free_ports_are_bindable_distinct_and_below_the_range_outgoing_connections_use()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
            System.Globalization.CultureInfo.InvariantCulture);
        var ports = Enumerable.Range(0, 50).Select(_ => LoopbackPort.FindFree()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
    }

    [Theory(Timeout = 180_000)]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("messaging")]
    public async Task Stopping_a_server_leaves_none_of_its_processes_running_and_frees_its_port(string resource)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var scratch = ScratchDirectory.Create($"lifecycle-{resource}");
        var server = await StartAsync(resource, scratch.Combine("data"), cancellationToken);
        IReadOnlyList<int> processIds;
        try
        {
            processIds = server.ProcessIds;
            Assert.NotEmpty(processIds);
            // Only the first (the server's own process) must still run: others, such as the PostgreSQL
            // backend that served the launcher's last query, may be on their way out.
            Assert.True(IsRunning(processIds[0]), $"{resource}: pid {processIds[0]} is not running while the server is");
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.All(processIds, pid => Assert.False(IsRunning(pid), $"{resource}: pid {pid} still runs after the server stopped"));
        using var listener = new TcpListener(IPAddress.Loopback, server.Port);
        listener.Start();
    }

    [Theory(Timeout = 30_000)]
    [InlineData("postgres", "/nonexistent/postgres not found: install it with 'apt-get install -y postgresql'")]
    [InlineData("redis", "redis-server-not-installed not found on PATH: install it with 'apt-get install -y redis-server'")]
    [InlineData("messaging", "/nonexistent/rabbitmq-server not found: install it with 'apt-get install -y rabbitmq-server'")]
    public async Task A_missing_binary_fails_the_start_with_how_to_install_it(string resource, string expectedMessage)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var scratch = ScratchDirectory.Create($"missing-{resource}");

        var error = await Assert.ThrowsAsync<BackingServerException>(async () =>
        {
            await using var unexpected = await StartWithMissingBinaryAsync(resource, scratch.Combine("data"), cancellationToken);
        });

        Assert.Equal(expectedMessage, error.Message);
    }

    static async Task<IBackingServer> StartAsync(string resource, string dataDirectory, CancellationToken cancellationToken) => resource switch
    {
        "postgres" => await PostgresServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken),
        "redis" => await RedisServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken),
        "messaging" => await RabbitMqServer.StartAsync(new() { DataDirectory = dataDirectory }, cancellationToken: cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "no such backing server"),
    };

    static async Task<IBackingServer> StartWithMissingBinaryAsync(string resource, string dataDirectory, CancellationToken cancellationToken) => resource switch
    {
        "postgres" => await PostgresServer.StartAsync(
            new() { DataDirectory = dataDirectory, PostgresExecutable = "/nonexistent/postgres" }, cancellationToken: cancellationToken),
        "redis" => await RedisServer.StartAsync(
            new() { DataDirectory = dataDirectory, Executable = "redis-server-not-installed" }, cancellationToken: cancellationToken),
        "messaging" => await RabbitMqServer.StartAsync(
            new() { DataDirectory = dataDirectory, ServerScript = "/nonexistent/rabbitmq-server" }, cancellationToken: cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "no such backing server"),
    };

    /// <summary>Read from /proc independently of the launchers' own bookkeeping; a zombie holds nothing but its pid.</summary>
    static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
