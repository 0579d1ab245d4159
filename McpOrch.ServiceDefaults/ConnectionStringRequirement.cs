using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>A client integration cannot work without its connection string: say which one, and how to set it.</summary>
static class ConnectionStringRequirement
{
    /// <param name="description">What the connection string is, e.g. "a PostgreSQL connection string".</param>
    public static string Require(IHostApplicationBuilder builder, string connectionName, string description)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: set the environment variable ConnectionStrings__{connectionName} " +
                $"({description}) or start the services through McpOrch.AppHost.");
        return connectionString;
    }
}
