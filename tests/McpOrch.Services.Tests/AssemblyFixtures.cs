using McpOrch.Testing;

// The workers run only in the distributed form: they need all three.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(RabbitMqFixture))]
