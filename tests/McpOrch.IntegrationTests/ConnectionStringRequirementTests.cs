using McpOrch.Testing;
using Microsoft.Extensions.Hosting;

namespace McpOrch.IntegrationTests;

public sealed class ConnectionStringRequirementTests
{
    [Fact]
    public void AddRabbitMqMassTransit_without_its_connection_string_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServiceHostBuilder.Create().AddRabbitMqMassTransit());

        Assert.StartsWith("ConnectionStrings:messaging is not set: set the environment variable ConnectionStrings__messaging", error.Message);
    }

    [Fact]
    public void AddRabbitMqMassTransit_with_a_connection_string_that_is_no_AMQP_URI_says_so_without_echoing_it()
    {
        var builder = ServiceHostBuilder.WithConnectionString("messaging", "host=rabbit;password=secret");

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddRabbitMqMassTransit());

        Assert.StartsWith("ConnectionStrings:messaging is not an AMQP URI", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }
}
