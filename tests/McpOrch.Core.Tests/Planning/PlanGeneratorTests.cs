using System.Text.Json;
using McpOrch.Core.Catalog;
using McpOrch.Core.Configuration;
using McpOrch.Core.Planning;
using McpOrch.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Tests.Planning;

/// <summary>The planner through the real OpenAI client against a local endpoint that speaks its wire format.</summary>
public sealed class PlanGeneratorTests : IAsyncLifetime
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    FakeChatCompletions _llm = null!;

    static readonly ToolCatalog Catalog = ToolCatalog.Build(1,
    [
        ("github", (IReadOnlyList<Tool>)
        [
            new Tool { Name = "list_repos", Description = "Lists an owner's repositories.",
                InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"owner":{"type":"string"}},"required":["owner"]}""").RootElement },
        ]),
    ], ".");

    const string ValidPlan = """{"steps": [{"id": "repos", "tool": "github.list_repos", "args": {"owner": "octocat"}}]}""";

    public async ValueTask InitializeAsync() => _llm = await FakeChatCompletions.StartAsync();

    public async ValueTask DisposeAsync() => await _llm.DisposeAsync();

    PlanGenerator Generator(int maxRepairs = 2)
    {
        var llm = new LlmOptions
        {
            Provider = LlmProvider.OpenAI,
            OpenAI = new LlmProviderOptions { Endpoint = _llm.Endpoint.ToString(), ApiKey = "sk-test", Model = "planner-model" },
            MaxRepairs = maxRepairs,
        };
        return new PlanGenerator(ChatClientFactory.Create(llm, NullLoggerFactory.Instance)!, llm, new ExecutionOptions());
    }

    [Fact]
    public async Task A_valid_answer_is_the_plan_and_the_request_asks_for_structured_output_with_the_tools()
    {
        _llm.Answer(ValidPlan);

        var plan = await Generator().GenerateAsync("list octocat's repositories", Catalog, Cancellation);

        Assert.Equal("github.list_repos", Assert.Single(plan.Steps).Tool);
        var request = Assert.Single(_llm.Requests);
        Assert.Equal("planner-model", request["model"]!.GetValue<string>());
        Assert.Equal("json_schema", request["response_format"]!["type"]!.GetValue<string>());
        Assert.Contains("github.list_repos: Lists an owner's repositories.", Content(request["messages"]![0]!));
        Assert.Contains("list octocat's repositories", Content(request["messages"]![1]!));
    }

    [Fact]
    public async Task An_invalid_plan_goes_back_with_the_validators_errors_and_the_repair_is_used()
    {
        _llm.Answer("""{"steps": [{"id": "repos", "tool": "github.list_repo", "args": {"owner": "octocat"}}]}""").Answer(ValidPlan);

        var plan = await Generator().GenerateAsync("list octocat's repositories", Catalog, Cancellation);

        Assert.Equal("github.list_repos", Assert.Single(plan.Steps).Tool);
        Assert.Equal(2, _llm.Requests.Count);
        var repairRequest = _llm.Requests[1]["messages"]!.AsArray();
        Assert.Equal(4, repairRequest.Count);
        Assert.Contains("step 'repos': unknown tool 'github.list_repo' (did you mean 'github.list_repos'?).", Content(repairRequest[3]!));
    }

    [Fact]
    public async Task After_the_repairs_allowed_planning_fails_with_the_last_errors()
    {
        _llm.Answer("not json").Answer("""{"steps": []}""");

        var error = await Assert.ThrowsAsync<PlanningException>(() => Generator(maxRepairs: 1).GenerateAsync("anything", Catalog, Cancellation));

        Assert.Equal("The model gave no valid plan in 2 attempts (llm.max_repairs = 1); the last one had: a plan needs at least one step.", error.Message);
        Assert.Equal(2, _llm.Requests.Count);
    }

    /// <summary>A message's text: the content is a string, or an array of text parts.</summary>
    static string Content(System.Text.Json.Nodes.JsonNode message) => message["content"] switch
    {
        System.Text.Json.Nodes.JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())),
        var content => content!.GetValue<string>(),
    };

    [Fact]
    public void A_large_catalog_is_trimmed_to_the_budget_but_keeps_every_tool_name()
    {
        var tools = Enumerable.Range(0, 200).Select(i => new Tool
        {
            Name = $"tool_{i}",
            Description = new string('d', 200),
            InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"x":{"type":"string"}}}""").RootElement,
        }).ToList();
        var catalog = ToolCatalog.Build(1, [("big", (IReadOnlyList<Tool>)tools)], ".");

        var text = PlannerPrompt.Tools(catalog, budget: 5000);

        Assert.True(text.Length < 5000 + (200 * 100), $"{text.Length} characters");
        Assert.All(Enumerable.Range(0, 200), i => Assert.Contains($"- big.tool_{i}:", text));
        Assert.Contains("Input schema", text[..1000]);
        Assert.DoesNotContain("Input schema", text[^500..]);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI)]
    [InlineData(LlmProvider.Azure)]
    [InlineData(LlmProvider.Anthropic)]
    [InlineData(LlmProvider.Bedrock)]
    public async Task Every_provider_is_reached_through_its_own_client_and_wire_format(LlmProvider provider)
    {
        var block = new LlmProviderOptions
        {
            Endpoint = provider == LlmProvider.OpenAI ? _llm.Endpoint.ToString() : _llm.Root.ToString(),
            ApiKey = "secret-key",
            Model = "planner-model",
            Region = "eu-west-1",
            AccessKeyId = "AKIATEST",
            SecretAccessKey = "aws-secret",
        };
        var llm = new LlmOptions { Provider = provider, OpenAI = block, Azure = block, Anthropic = block, Bedrock = block };
        _llm.Answer(ValidPlan);

        var plan = await new PlanGenerator(ChatClientFactory.Create(llm, NullLoggerFactory.Instance)!, llm, new ExecutionOptions())
            .GenerateAsync("list the repositories of octocat", Catalog, Cancellation);

        Assert.Equal("github.list_repos", Assert.Single(plan.Steps).Tool);
        var (path, headers) = Assert.Single(_llm.Calls);
        Assert.Contains("list the repositories of octocat", _llm.Requests[0].ToJsonString());
        switch (provider)
        {
            case LlmProvider.OpenAI:
                Assert.Equal("/v1/chat/completions", path);
                Assert.Equal("Bearer secret-key", headers.Authorization.ToString());
                break;
            case LlmProvider.Azure:
                Assert.Equal("/openai/v1/chat/completions", path);
                Assert.Equal("secret-key", headers["api-key"].ToString());
                break;
            case LlmProvider.Anthropic:
                Assert.Equal("/v1/messages", path);
                Assert.True(headers["x-api-key"].ToString() == "secret-key" || headers.Authorization.ToString() == "Bearer secret-key",
                    string.Join(", ", headers.Select(h => h.Key)));
                break;
            case LlmProvider.Bedrock:
                Assert.Contains("planner-model", path);
                Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIATEST/", headers.Authorization.ToString());
                break;
        }
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI, "llm.openai.model")]
    [InlineData(LlmProvider.Ollama, "llm.ollama.model")]
    [InlineData(LlmProvider.Azure, "llm.azure.endpoint", "llm.azure.api_key", "llm.azure.model")]
    [InlineData(LlmProvider.Anthropic, "llm.anthropic.api_key", "llm.anthropic.model")]
    [InlineData(LlmProvider.Bedrock, "llm.bedrock.region", "llm.bedrock.access_key_id", "llm.bedrock.secret_access_key", "llm.bedrock.model")]
    public void A_provider_without_what_it_needs_names_every_missing_setting_at_once(LlmProvider provider, params string[] missing)
    {
        var llm = new LlmOptions { Provider = provider, OpenAI = new LlmProviderOptions { ApiKey = "k" }, Ollama = new LlmProviderOptions() };

        var error = Assert.Throws<OrchConfigurationException>(() => ChatClientFactory.Create(llm, NullLoggerFactory.Instance));

        Assert.Equal(missing, error.Errors.Select(e => e.Split(' ')[0]));
        var name = provider.ToString().ToLowerInvariant();
        Assert.All(error.Errors, e => Assert.Contains($" is not set: the {name} provider needs it; set ", e));
    }

    [Fact]
    public void A_missing_setting_names_its_environment_variable_or_its_dotnet_form()
    {
        var llm = new LlmOptions { Provider = LlmProvider.Azure, Azure = new LlmProviderOptions { ApiKey = "k" } };

        var error = Assert.Throws<OrchConfigurationException>(() => ChatClientFactory.Create(llm, NullLoggerFactory.Instance));

        Assert.Equal([
            "llm.azure.endpoint is not set: the azure provider needs it; set AZURE_AI_ENDPOINT, or llm.azure.endpoint in config.yaml.",
            "llm.azure.model is not set: the azure provider needs it; set llm.azure.model in config.yaml, or McpOrch__Llm__Azure__Model.",
        ], error.Errors);
    }

    [Fact]
    public void An_openai_compatible_endpoint_needs_no_key()
    {
        var llm = new LlmOptions { Provider = LlmProvider.OpenAI, OpenAI = new LlmProviderOptions { Endpoint = "http://127.0.0.1:8000/v1", Model = "m" } };

        Assert.NotNull(ChatClientFactory.Create(llm, NullLoggerFactory.Instance));
        llm.OpenAI.Endpoint = null;
        Assert.Equal("llm.openai.api_key is not set: the openai provider needs it; set OPENAI_API_KEY, or llm.openai.api_key in config.yaml " +
            "(or llm.openai.endpoint, for a server that needs no key).",
            Assert.Single(Assert.Throws<OrchConfigurationException>(() => ChatClientFactory.Create(llm, NullLoggerFactory.Instance)).Errors));
    }

    [Fact]
    public void Without_a_provider_there_is_no_chat_client()
    {
        Assert.Null(ChatClientFactory.Create(new LlmOptions(), NullLoggerFactory.Instance));
    }

    static readonly McpOrch.Core.Plans.Plan Ran = McpOrch.Core.Plans.Plan.Parse("""
        {"steps": [
          {"id": "mine", "tool": "github.list_repos", "args": {"owner": "octocat"}},
          {"id": "theirs", "tool": "github.list_repos", "args": {"owner": "hubot"}}
        ]}
        """);

    static readonly Dictionary<string, McpOrch.Core.Plans.StepOutcome> Outcomes = new()
    {
        ["mine"] = new(System.Text.Json.Nodes.JsonNode.Parse("""{"items": ["hello-world"]}""")),
        ["theirs"] = McpOrch.Core.Plans.StepOutcome.Failed("MCP server 'github' is not available (down)."),
    };

    [Fact]
    public async Task A_replan_adds_steps_after_what_ran_and_may_not_use_failed_outputs()
    {
        _llm.Answer("""{"steps": [{"id": "retry", "tool": "github.list_repos", "args": {"owner": "${theirs.owner}"}}]}""")
            .Answer("""{"steps": [{"id": "retry", "tool": "github.list_repos", "args": {"owner": "hubot"}}]}""");

        var plan = await Generator().ReplanAsync("list both owners' repositories", Catalog, Ran, Outcomes, Cancellation);

        Assert.Equal(["mine", "theirs", "retry"], plan.Steps.Select(s => s.Id));
        var outcomes = Content(_llm.Requests[0]["messages"]![2]!);
        Assert.Contains("- mine (github.list_repos): output: {\"items\":[\"hello-world\"]}", outcomes);
        Assert.Contains("- theirs (github.list_repos): FAILED: MCP server 'github' is not available (down).", outcomes);
        Assert.Contains("step 'retry': step 'theirs' failed and has no output to use; do it another way.",
            Content(_llm.Requests[1]["messages"]!.AsArray().Last()!));
    }

    [Fact]
    public async Task A_replan_must_add_a_step_with_a_new_id()
    {
        _llm.Answer("""{"steps": []}""").Answer("""{"steps": [{"id": "mine", "tool": "github.list_repos", "args": {"owner": "x"}}]}""");

        var error = await Assert.ThrowsAsync<PlanningException>(() => Generator(maxRepairs: 1).ReplanAsync("r", Catalog, Ran, Outcomes, Cancellation));

        Assert.Contains("step 'mine': two steps have this id: ids must be unique.", error.Message);
        Assert.Contains("the answer adds no step.", Content(_llm.Requests[1]["messages"]!.AsArray().Last()!));
    }

    [Fact]
    public async Task The_answer_is_written_from_the_outcomes()
    {
        _llm.Answer("octocat has hello-world; hubot's repositories could not be listed.");

        var answer = await Generator().AnswerAsync("list both owners' repositories", Ran, Outcomes, Cancellation);

        Assert.Equal("octocat has hello-world; hubot's repositories could not be listed.", answer);
        var messages = _llm.Requests[0]["messages"]!.AsArray();
        Assert.Contains("Request: list both owners' repositories", Content(messages[1]!));
        Assert.Contains("FAILED: MCP server 'github' is not available (down).", Content(messages[1]!));
    }
}
