using System.Globalization;
using McpOrch.LocalServers;
using McpOrch.BatchBench.Scenarios;
using McpOrch.BatchBench.Systems;

namespace McpOrch.BatchBench;

/// <summary>What to run and how often; see <see cref="Usage"/>.</summary>
public sealed record BatchBenchOptions
{
    public const string Usage = """
        mcp-orch-batch-bench [options]
          --runs N            measured runs per scenario and path (default 20)
          --warmup N          unmeasured runs per scenario and path first, for .NET's JIT (default 5)
          --forms LIST        MCP Orch forms: single, distributed, or both (default single,distributed)
          --executors N       Executor.Worker processes of the distributed form (default 2)
          --scenarios LIST    fanout, chains, foreach (default all three)
          --max-parallel N    McpOrch__Execution__MaxParallelTasks of every MCP Orch process (default 200, so that
                              the forEach's 100 calls run at once; the product's default is 10)
          --repo DIR          the repository (default: found upward from this program)
          --out DIR           where services.log, pids, results.md and runs.csv go (default: bench/results/batch-<time>)
          --time-limit S      the whole run stops after S seconds (default 1200)
        Other McpOrch__* settings in the environment reach every MCP Orch process, e.g. for experiments.
        """;

    public int Runs { get; init; } = 20;
    public int Warmup { get; init; } = 5;
    public IReadOnlyList<string> Forms { get; init; } = [OrchSystem.Single, OrchSystem.Distributed];
    public int Executors { get; init; } = 2;
    public IReadOnlyList<Scenario> Scenarios { get; init; } = BenchScenarios.All;
    public int MaxParallelTasks { get; init; } = 200;
    public required string Repository { get; init; }
    public required string OutputDirectory { get; init; }
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(1200);

    /// <summary>The options, or the message for the user (the usage for --help).</summary>
    public static (BatchBenchOptions? Options, string? Message) Parse(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
            return (null, Usage);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 == args.Count)
                return (null, $"unknown or incomplete option '{args[i]}'\n{Usage}");
            values[args[i]] = args[i + 1];
        }

        var repository = Path.GetFullPath(values.Remove("--repo", out var repo) ? repo : RepositoryRoot.Find(AppContext.BaseDirectory));
        var options = new BatchBenchOptions
        {
            Repository = repository,
            OutputDirectory = Path.GetFullPath(values.Remove("--out", out var output) ? output
                : Path.Combine(repository, "bench", "results", $"batch-{DateTime.Now:yyyyMMdd-HHmmss}")),
        };
        try
        {
            foreach (var (name, value) in values)
                options = name switch
                {
                    "--runs" => options with { Runs = Positive(value) },
                    "--warmup" => options with { Warmup = int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new FormatException("--warmup is 0 or more") },
                    "--forms" => options with { Forms = Subset(value, [OrchSystem.Single, OrchSystem.Distributed]) },
                    "--executors" => options with { Executors = Positive(value) },
                    "--scenarios" => options with { Scenarios = [.. BenchScenarios.All.Where(s => Subset(value, [.. BenchScenarios.All.Select(s => s.Key)]).Contains(s.Key))] },
                    "--max-parallel" => options with { MaxParallelTasks = Positive(value) },
                    "--time-limit" => options with { TimeLimit = TimeSpan.FromSeconds(Positive(value)) },
                    _ => throw new FormatException($"unknown option '{name}'"),
                };
        }
        catch (FormatException e)
        {
            return (null, $"{e.Message}\n{Usage}");
        }
        return (options, null);
    }

    static int Positive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"'{value}' is not a positive whole number");

    static IReadOnlyList<string> Subset(string value, IReadOnlyList<string> known)
    {
        var chosen = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return chosen.FirstOrDefault(c => !known.Contains(c)) is { } unknown
            ? throw new FormatException($"'{unknown}' is not one of {string.Join(", ", known)}")
            : chosen.Count > 0 ? [.. known.Where(chosen.Contains)] : throw new FormatException("an empty list");
    }
}
