[assembly: AssemblyFixture(typeof(Proxy.Api.Tests.ProxyFixture))]
[assembly: AssemblyFixture(typeof(McpOrch.Testing.RedisFixture))]
