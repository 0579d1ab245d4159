using McpOrch.Testing;

// One of each server for the whole assembly: they start once, and stop by pid when the tests are done.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(RabbitMqFixture))]
[assembly: AssemblyFixture(typeof(McpServersFixture))]
