using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>
/// A backing server shared by all tests of an assembly
/// (<c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c>): started once, on free loopback
/// ports, in a scratch directory, and stopped by pid when the assembly's tests are done.
/// </summary>
/// <remarks>
/// A server that cannot start (its binary is not installed, say) fails every test that uses it,
/// with the launcher's message, which says what to install; tests that do not use it still run.
/// </remarks>
public abstract class BackingServerFixture<TServer> : IAsyncLifetime
    where TServer : class, IBackingServer
{
    readonly ScratchDirectory _scratch;
    TServer? _server;
    BackingServerException? _startFailure;

    protected BackingServerFixture(string resourceName) => _scratch = ScratchDirectory.Create(resourceName);

    /// <summary>The running server.</summary>
    /// <exception cref="BackingServerException">The server could not be started; the message says why.</exception>
    public TServer Server
    {
        get
        {
            if (_startFailure is not null)
                throw new BackingServerException(_startFailure.Message, _startFailure);
            return _server ?? throw new InvalidOperationException($"{GetType().Name} is used before xunit initialised it.");
        }
    }

    /// <summary>The server's connection string in the format the ServiceDefaults client helpers read.</summary>
    public string ConnectionString => Server.ConnectionString;

    protected abstract Task<TServer> StartAsync(string dataDirectory, CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        try
        {
            _server = await StartAsync(_scratch.Combine("data"), TestContext.Current.CancellationToken);
        }
        catch (BackingServerException e)
        {
            _startFailure = e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _scratch.Dispose();
        GC.SuppressFinalize(this);
    }
}
