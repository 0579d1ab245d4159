using MassTransit;
using McpOrch.IntegrationTests.Messaging;
using McpOrch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace McpOrch.IntegrationTests;

public sealed class RabbitMqFixtureTests(RabbitMqFixture rabbitMq)
{
    static readonly TimeSpan HealthPollInterval = TimeSpan.FromMilliseconds(200);

    [Fact(Timeout = 120_000)]
    public async Task A_message_published_through_AddRabbitMqMassTransit_is_consumed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = ServiceHostBuilder.WithConnectionString(MassTransitRabbitMqExtensions.DefaultConnectionName, rabbitMq.ConnectionString);
        builder.Services.AddSingleton<SmokeInbox>();
        builder.AddRabbitMqMassTransit(bus => bus.AddConsumer<SmokeMessageConsumer>());
        using var host = builder.Build();

        await host.StartAsync(cancellationToken);
        try
        {
            // Published before the consumer's queue is bound, a message would be dropped by the exchange;
            // MassTransit's health check turns healthy once its receive endpoints are up.
            await WaitUntilHealthyAsync(host.Services.GetRequiredService<HealthCheckService>(), cancellationToken);
            var text = $"hello over rabbitmq {Guid.NewGuid():N}";
            await host.Services.GetRequiredService<IBus>().Publish(new SmokeMessage(text), cancellationToken);

            var consumed = await host.Services.GetRequiredService<SmokeInbox>().Received.WaitAsync(cancellationToken);
            Assert.Equal(text, consumed.Text);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    static async Task WaitUntilHealthyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        while (true)
        {
            var report = await health.CheckHealthAsync(check => check.Tags.Contains("masstransit"), cancellationToken);
            Assert.NotEmpty(report.Entries);
            if (report.Status == HealthStatus.Healthy)
                return;
            await Task.Delay(HealthPollInterval, cancellationToken);
        }
    }
}
