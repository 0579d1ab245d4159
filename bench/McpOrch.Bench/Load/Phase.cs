namespace McpOrch.Bench.Load;

/// <summary>
/// One kind of measured load: <paramref name="Sessions"/> sessions, each with <paramref name="PerSession"/> callers
/// that make their next call as soon as the previous one answers (a closed loop), <paramref name="Calls"/> calls in all.
/// </summary>
public sealed record Phase(string Key, string Title, int Sessions, int PerSession, int Calls)
{
    public const string SequentialKey = "sequential";
    public const string OneSessionKey = "one-session";
    public const string ManySessionsKey = "many-sessions";

    public int InFlight => Sessions * PerSession;

    public static Phase Sequential(int calls) => new(SequentialKey, "sequential", 1, 1, calls);

    public static Phase OneSession(int concurrency, int calls) =>
        new(OneSessionKey, $"{concurrency} concurrent, 1 session", 1, concurrency, calls);

    public static Phase ManySessions(int sessions, int concurrency, int calls) =>
        new(ManySessionsKey, $"{sessions} sessions × {concurrency / sessions} concurrent", sessions, concurrency / sessions, calls);
}
