[assembly: AssemblyFixture(typeof(Proxy.Api.Tests.ProxyFixture))]
