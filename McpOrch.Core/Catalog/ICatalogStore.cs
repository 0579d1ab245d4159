namespace McpOrch.Core.Catalog;

/// <summary>Where the proxy publishes the catalog and other services read it.</summary>
public interface ICatalogStore
{
    /// <summary>Publishes <paramref name="catalog"/> as the newest snapshot and returns it with the version it was given.</summary>
    Task<CatalogSnapshot> PublishAsync(ToolCatalog catalog, CancellationToken cancellationToken);

    /// <summary>Whether the store holds a snapshot: a Redis restarted without persistence holds none.</summary>
    Task<bool> HoldsSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>The newest snapshot, or null when none was published yet.</summary>
    Task<CatalogSnapshot?> ReadAsync(CancellationToken cancellationToken);
}
