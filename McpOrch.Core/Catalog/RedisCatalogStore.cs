using StackExchange.Redis;

namespace McpOrch.Core.Catalog;

/// <summary>
/// The catalog in Redis: the newest snapshot as JSON under <c>mcp-orch:catalog</c>, its version from a counter
/// that survives restarts, and the new version published on the channel <c>mcp-orch:catalog:changed</c>.
/// </summary>
public sealed class RedisCatalogStore(IConnectionMultiplexer redis, TimeProvider time) : ICatalogStore
{
    public const string SnapshotKey = "mcp-orch:catalog";
    public const string VersionKey = "mcp-orch:catalog:version";
    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("mcp-orch:catalog:changed");

    public async Task<CatalogSnapshot> PublishAsync(ToolCatalog catalog, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var snapshot = CatalogSnapshots.From(catalog, await database.StringIncrementAsync(VersionKey), time.GetUtcNow());
        await database.StringSetAsync(SnapshotKey, CatalogSnapshots.Serialize(snapshot));
        await redis.GetSubscriber().PublishAsync(ChangedChannel, snapshot.Version);
        return snapshot;
    }

    public Task<bool> HoldsSnapshotAsync(CancellationToken cancellationToken) => redis.GetDatabase().KeyExistsAsync(SnapshotKey);

    public async Task<CatalogSnapshot?> ReadAsync(CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringGetAsync(SnapshotKey) is { HasValue: true } json ? CatalogSnapshots.Deserialize(json.ToString()) : null;
}
