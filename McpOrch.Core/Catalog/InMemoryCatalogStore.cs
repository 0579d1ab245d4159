namespace McpOrch.Core.Catalog;

/// <summary>The catalog store of a single process (no Redis configured).</summary>
public sealed class InMemoryCatalogStore(TimeProvider time) : ICatalogStore
{
    CatalogSnapshot? _latest;

    public Task<CatalogSnapshot> PublishAsync(ToolCatalog catalog, CancellationToken cancellationToken)
    {
        var snapshot = CatalogSnapshots.From(catalog, (_latest?.Version ?? 0) + 1, time.GetUtcNow());
        _latest = snapshot;
        return Task.FromResult(snapshot);
    }

    public Task<bool> HoldsSnapshotAsync(CancellationToken cancellationToken) => Task.FromResult(_latest is not null);

    public Task<CatalogSnapshot?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(_latest);
}
