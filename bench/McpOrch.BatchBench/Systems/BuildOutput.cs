namespace McpOrch.BatchBench.Systems;

/// <summary>The Release builds the benchmark runs (bench/batch.sh builds them).</summary>
public sealed class BuildOutput(string repository)
{
    public string McpOrch => Require("Proxy.Api", "mcp-orch.dll");
    public string PlannerWorker => Require("Planner.Worker", "Planner.Worker.dll");
    public string ExecutorWorker => Require("Executor.Worker", "Executor.Worker.dll");
    public string TestServer => Require("tests/McpOrch.TestServer", "McpOrch.TestServer.dll");

    string Require(string project, string assembly)
    {
        var path = Path.Combine(repository, project, "bin", "Release", "net10.0", assembly);
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"{path} is missing: build it with `dotnet build {project} -c Release` (bench/batch.sh does)");
    }
}
