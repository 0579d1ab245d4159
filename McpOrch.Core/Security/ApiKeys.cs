using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Security;

/// <summary>
/// An API key as the admin API shows it: never the secret, which is shown once, at creation. <c>Source</c> is
/// <c>admin</c> (made through the API or at first start), <c>config</c> (security.api_keys) or <c>environment</c> (API_KEY).
/// </summary>
public sealed record ApiKeyInfo(string Id, string Name, string Source, string? Prefix, IReadOnlyList<string> Permissions,
    IReadOnlyList<string> Servers, IReadOnlyList<string> Tools, int? RateLimit, DateTime? CreatedAt, DateTime? RevokedAt);

/// <summary>
/// The API keys: those of <c>security.api_keys</c> and <c>API_KEY</c>, and those made through the admin API, which the
/// database keeps as SHA-256 hashes (the secrets are 256 random bits: a slow hash would add nothing but latency).
/// A key found in the database is remembered for <see cref="CacheFor"/>, so a key revoked on another replica stops
/// working within that time; on this one, at once.
/// </summary>
public sealed class ApiKeys
{
    /// <summary>Every secret this class makes starts with this, so that a leaked one is recognisable (secret scanners).</summary>
    public const string SecretPrefix = "mco_";

    /// <summary>The id of the key made at first start: one id, so that replicas starting together make one key.</summary>
    public const string FirstKeyId = "key_first_admin";

    static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    readonly IServiceScopeFactory _scopes;
    readonly TimeProvider _time;
    readonly Dictionary<string, (Caller Caller, ApiKeyInfo Info)> _configured = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (Caller? Caller, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public ApiKeys(IServiceScopeFactory scopes, IOptions<OrchOptions> options, TimeProvider time)
    {
        _scopes = scopes;
        _time = time;
        var security = options.Value.Security;
        foreach (var key in security.ApiKeys)
        {
            var permissions = key.Permissions.Aggregate(Permission.None, (all, p) => all | p);
            var scope = new ToolScope(key.Servers, key.Tools);
            var caller = new Caller($"config:{key.Name}", key.Name, permissions, scope, key.RateLimit);
            _configured[Hash(key.Key)] = (caller, Info(caller, "config", null, null, null));
        }
        if (security.ApiKey is { Length: > 0 } environmentKey)
        {
            var caller = new Caller("environment:API_KEY", "API_KEY", Permission.All, ToolScope.Everything);
            _configured[Hash(environmentKey)] = (caller, Info(caller, "environment", null, null, null));
        }
    }

    /// <summary>SHA-256 of <paramref name="secret"/>, hex.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The caller <paramref name="secret"/> belongs to, or null when it is no key (or a revoked one).</summary>
    public async ValueTask<Caller?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        if (_configured.TryGetValue(hash, out var configured))
            return configured.Caller;
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
            return cached.Caller;
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            return null;
        await using var scope = _scopes.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<OrchDbContext>().ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, cancellationToken);
        var caller = record is null ? null : CallerOf(record);
        if (caller is not null)
            _cache[hash] = (caller, now + CacheFor);
        return caller;
    }

    /// <summary>Makes a key; the secret is in the result and nowhere else.</summary>
    public async Task<(ApiKeyInfo Key, string Secret)> CreateAsync(string name, Permission permissions, ToolScope scope, int? rateLimit,
        CancellationToken cancellationToken, string? id = null)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = new ApiKeyRecord
        {
            Id = id ?? "key_" + Base64Url(RandomNumberGenerator.GetBytes(9)),
            Name = name, Hash = Hash(secret), Prefix = secret[..(SecretPrefix.Length + 4)], Permissions = permissions,
            Scope = scope.ToJson(), RateLimit = rateLimit, CreatedAt = _time.GetUtcNow().UtcDateTime,
        };
        await using var services = _scopes.CreateAsyncScope();
        var db = services.ServiceProvider.GetRequiredService<OrchDbContext>();
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return (Info(record), secret);
    }

    /// <summary>Every key, the configured ones first, then the made ones by age (revoked ones too, marked).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var records = await scope.ServiceProvider.GetRequiredService<OrchDbContext>().ApiKeys.AsNoTracking()
            .OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return [.. _configured.Values.Select(c => c.Info).OrderBy(i => i.Name, StringComparer.Ordinal), .. records.Select(Info)];
    }

    /// <summary>Revokes a made key: true when it was active, false when it was revoked already, null when there is no such key.</summary>
    /// <exception cref="InvalidOperationException">The key comes from the configuration, which only an edit can change.</exception>
    public async Task<bool?> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        if (_configured.Values.FirstOrDefault(c => c.Caller.Id == id) is { Info: { } configured })
            throw new InvalidOperationException(configured.Source == "config"
                ? $"Key '{configured.Name}' comes from security.api_keys in config.yaml: remove it there and restart."
                : "The API_KEY key comes from the environment: unset API_KEY and restart.");
        await using var scope = _scopes.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<OrchDbContext>().ApiKeys;
        var revoked = await keys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, _time.GetUtcNow().UtcDateTime), cancellationToken);
        foreach (var (hash, entry) in _cache)
            if (entry.Caller?.Id == id)
                _cache.TryRemove(hash, out _);
        return revoked == 1 ? true : await keys.AnyAsync(k => k.Id == id, cancellationToken) ? false : null;
    }

    /// <summary>Whether any key works: one of the configuration or the environment, or an active one in the database.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        if (_configured.Count > 0)
            return true;
        await using var scope = _scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrchDbContext>().ApiKeys.AnyAsync(k => k.RevokedAt == null, cancellationToken);
    }

    /// <summary>
    /// With no key anywhere (configuration, environment, database: active ones), makes one with every permission and
    /// returns its secret; otherwise null. Replicas starting together make one key between them (<see cref="FirstKeyId"/>).
    /// </summary>
    public async Task<(ApiKeyInfo Key, string Secret)?> CreateFirstKeyAsync(CancellationToken cancellationToken)
    {
        if (await AnyAsync(cancellationToken))
            return null;
        await using (var scope = _scopes.CreateAsyncScope())
            // A revoked first key (every key revoked): its id is free again.
            await scope.ServiceProvider.GetRequiredService<OrchDbContext>().ApiKeys.Where(k => k.Id == FirstKeyId).ExecuteDeleteAsync(cancellationToken);
        try
        {
            return await CreateAsync("admin", Permission.All, ToolScope.Everything, rateLimit: null, cancellationToken, FirstKeyId);
        }
        catch (DbUpdateException)
        {
            return null; // Another replica made it.
        }
    }

    static Caller CallerOf(ApiKeyRecord record) => new(record.Id, record.Name, record.Permissions, ToolScope.FromJson(record.Scope), record.RateLimit);

    static ApiKeyInfo Info(ApiKeyRecord record) => Info(CallerOf(record), "admin", record.Prefix, Utc(record.CreatedAt), record.RevokedAt is { } at ? Utc(at) : null);

    /// <summary>SQLite gives times back without their kind; they are UTC.</summary>
    static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);

    static ApiKeyInfo Info(Caller caller, string source, string? prefix, DateTime? createdAt, DateTime? revokedAt) =>
        new(caller.Id, caller.Name, source, prefix, PermissionNames.Of(caller.Permissions), caller.Scope.Servers, caller.Scope.Tools, caller.RateLimit,
            createdAt, revokedAt);

    static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
