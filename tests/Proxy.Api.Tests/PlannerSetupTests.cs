using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Proxy.Api.Tests;

/// <summary>
/// The environment-only LLM setup: with no llm.provider, the variables of one provider choose it; when it is not
/// complete, a request in words is refused with what was found and what is missing.
/// </summary>
public sealed class PlannerSetupTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_in_words_with_the_azure_variables_and_no_model_names_what_was_found_and_what_is_missing()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject(), environment: new Dictionary<string, string>
        {
            ["AZURE_AI_ENDPOINT"] = "https://foundry.example.com",
            ["AZURE_AI_API_KEY"] = "azure-key-that-must-not-show",
        });

        using var response = await proxy.Http.PostAsync("/batch/execute",
            new StringContent("""{"request": "list my repositories"}""", Encoding.UTF8, "application/json"), Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("No LLM can plan natural-language requests: found AZURE_AI_ENDPOINT, AZURE_AI_API_KEY for the azure provider; " +
            "missing llm.azure.model (set llm.azure.model in config.yaml, or McpOrch__Llm__Azure__Model). Or send an explicit plan instead: ",
            JsonNode.Parse(body)!["detail"]!.GetValue<string>());
        Assert.DoesNotContain("azure-key-that-must-not-show", body);
        Assert.DoesNotContain("foundry.example.com", body);
    }
}
