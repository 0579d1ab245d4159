using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>MassTransit on RabbitMQ, configured from an Aspire-style AMQP connection string.</summary>
public static class MassTransitRabbitMqExtensions
{
    public const string DefaultConnectionName = "messaging";

    /// <summary>
    /// Registers MassTransit on the RabbitMQ broker at <c>ConnectionStrings:{connectionName}</c>
    /// (<c>amqp://user:password@host:port/vhost</c>). Register consumers, sagas and request clients in
    /// <paramref name="configure"/>; every consumer gets a receive endpoint named by convention.
    /// MassTransit adds its own health checks (tagged <c>ready</c>) and its "MassTransit" traces and
    /// metrics, which <see cref="ServiceDefaultsExtensions.AddServiceDefaults{TBuilder}"/> collects.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection string is not set, or is not an AMQP URI.</exception>
    public static IHostApplicationBuilder AddRabbitMqMassTransit(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null,
        string connectionName = DefaultConnectionName)
    {
        const string description = "an AMQP URI such as amqp://guest:guest@127.0.0.1:5672/";
        var connectionString = ConnectionStringRequirement.Require(builder, connectionName, description);
        // The value holds a password: the message names the setting, never its value.
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var hostAddress) || hostAddress.Scheme is not ("amqp" or "amqps"))
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not {description}.");

        builder.Services.AddMassTransit(bus =>
        {
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(hostAddress);
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
