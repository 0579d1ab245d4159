using System.Globalization;

namespace McpOrch.Bench;

/// <summary>What to run and how much; every count can be changed on the command line (see <see cref="Usage"/>).</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        mcp-orch-bench [options]
          --rounds N          measured rounds; the paths take turns inside each round (default 3)
          --seq-calls N       calls of the sequential phase, per path and round (default 2000)
          --load-calls N      calls of each throughput phase, per path and round (default 6000)
          --warmup-seconds S  load per path before the first round, not measured (default 10: .NET's tiered
                              JIT is still recompiling MCP Orch's hot methods for ~7 s of load)
          --phase-warmup N    calls after the sessions of a phase open, not measured (default 100)
          --concurrency N     calls in flight in the throughput phases (default 16)
          --sessions N        sessions of the multi-session phase; they share --concurrency (default 8)
          --paths A,B,C,D     which paths to run (A direct stdio, B MCP Orch, C supergateway, D mcp-proxy;
                              E MCP Orch with a 2026-07-28 client, C# phases only)
          --no-ts             skip the TypeScript SDK client phases
          --orch-env K=V,…    extra environment of MCP Orch, for experiments (e.g. DOTNET_gcServer=0)
          --supergateway-log L  supergateway's --logLevel: none (default), info or debug
          --repo DIR          the repository (default: found upward from this program)
          --out DIR           where logs and results.md go (default: bench/results/run-<time>)
          --time-limit S      the whole run stops after S seconds (default 1200)
        """;

    public int Rounds { get; init; } = 3;
    public int SequentialCalls { get; init; } = 2000;
    public int LoadCalls { get; init; } = 6000;
    public int WarmupSeconds { get; init; } = 10;
    public int PhaseWarmupCalls { get; init; } = 100;
    public int Concurrency { get; init; } = 16;
    public int Sessions { get; init; } = 8;
    public bool TypeScript { get; init; } = true;
    public IReadOnlyList<string> Paths { get; init; } = ["A", "B", "C", "D"];
    public IReadOnlyDictionary<string, string> OrchEnvironment { get; init; } = new Dictionary<string, string>();
    public string SupergatewayLogLevel { get; init; } = "none";
    public required string Repository { get; init; }
    public required string OutputDirectory { get; init; }
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(1200);

    public string BenchDirectory => Path.Combine(Repository, "bench");

    /// <summary>The options, or an error message for the user.</summary>
    public static (BenchOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--no-ts" or "--help" or "-h")
                flags.Add(name);
            else if (name.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count)
                values[name] = args[++i];
            else
                return (null, $"unknown or incomplete option '{name}'\n{Usage}");
        }
        if (flags.Contains("--help") || flags.Contains("-h"))
            return (null, Usage);

        var repository = Path.GetFullPath(values.Remove("--repo", out var repo) ? repo : FindRepository());
        var options = new BenchOptions
        {
            Repository = repository,
            OutputDirectory = Path.GetFullPath(values.Remove("--out", out var output) ? output
                : Path.Combine(repository, "bench", "results", $"run-{DateTime.Now:yyyyMMdd-HHmmss}")),
            TypeScript = !flags.Contains("--no-ts"),
        };
        try
        {
            foreach (var (name, value) in values)
            {
                options = name switch
                {
                    "--rounds" => options with { Rounds = Positive(value) },
                    "--seq-calls" => options with { SequentialCalls = Positive(value) },
                    "--load-calls" => options with { LoadCalls = Positive(value) },
                    "--warmup-seconds" => options with { WarmupSeconds = Positive(value) },
                    "--phase-warmup" => options with { PhaseWarmupCalls = Positive(value) },
                    "--concurrency" => options with { Concurrency = Positive(value) },
                    "--sessions" => options with { Sessions = Positive(value) },
                    "--time-limit" => options with { TimeLimit = TimeSpan.FromSeconds(Positive(value)) },
                    "--orch-env" => options with { OrchEnvironment = Assignments(value) },
                    "--supergateway-log" => options with { SupergatewayLogLevel = value is "none" or "info" or "debug" ? value : throw new FormatException("--supergateway-log is none, info or debug") },
                    "--paths" => options with { Paths = [.. value.ToUpperInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                    _ => throw new FormatException($"unknown option '{name}'"),
                };
            }
        }
        catch (FormatException e)
        {
            return (null, $"{e.Message}\n{Usage}");
        }
        if (options.Paths.Except(["A", "B", "C", "D", "E"]).FirstOrDefault() is { } unknown)
            return (null, $"--paths: unknown path '{unknown}' (A, B, C, D or E)");
        if (options.Concurrency % options.Sessions != 0)
            return (null, $"--concurrency ({options.Concurrency}) must be a multiple of --sessions ({options.Sessions}): the sessions share it evenly");
        return (options, null);
    }

    static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new FormatException($"'{value}' is not a positive whole number");

    static Dictionary<string, string> Assignments(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.Split('=', 2) is [var name, var setting] && name.Length > 0 ? (name, setting) : throw new FormatException($"'{a}' is not NAME=VALUE"))
            .ToDictionary(a => a.name, a => a.setting, StringComparer.Ordinal);

    static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "McpOrch.sln")))
                return dir.FullName;
        throw new InvalidOperationException("McpOrch.sln not found above the program: give --repo DIR");
    }
}
