using McpOrch.Testing;

// For the test that gives the AppHost connection strings instead of letting it start its own servers.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(RabbitMqFixture))]

namespace McpOrch.AppHost.Tests
{
    /// <summary>Each test runs a whole system of up to a dozen processes: they take turns.</summary>
    [CollectionDefinition(Name)]
    public sealed class WholeSystems
    {
        public const string Name = "Whole systems";
    }
}
