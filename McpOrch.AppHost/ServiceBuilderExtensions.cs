namespace McpOrch.AppHost;

static class ServiceBuilderExtensions
{
    /// <summary>A service's connection strings for the database, Redis and RabbitMQ; it starts once they are healthy.</summary>
    public static IResourceBuilder<ProjectResource> WithBackingServers(this IResourceBuilder<ProjectResource> service,
        params IResourceBuilder<IResourceWithConnectionString>[] servers)
    {
        foreach (var server in servers)
            service.WithReference(server).WaitFor(server);
        return service;
    }
}
