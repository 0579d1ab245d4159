using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace McpOrch.AppHost;

/// <summary>
/// "Reload MCP configuration" on proxy-api in the Aspire dashboard: <c>POST /servers/reload</c>, which needs a key with the
/// write permission. The operator may give one; otherwise the key the AppHost knows is used: <c>API_KEY</c> from its
/// environment (which the services inherit), or the key Proxy.Api made on its first start and the console guide showed.
/// </summary>
public static class ReloadCommand
{
    public const string Name = "reload-mcp-config";
    public const string KeyArgument = "key";

    public static IResourceBuilder<ProjectResource> WithReloadCommand(this IResourceBuilder<ProjectResource> proxy) =>
        proxy.WithHttpCommand("/servers/reload", "Reload MCP configuration", commandName: Name, commandOptions: new HttpCommandOptions
        {
            Description = "Re-read mcp-config.json: start added servers, stop removed ones, restart changed ones.",
            IconName = "ArrowSync",
            Arguments =
            [
                new InteractionInput
                {
                    Name = KeyArgument,
                    Label = "API key",
                    InputType = InputType.SecretText,
                    Description = "A key with the write permission. Empty: API_KEY, or the key made at first start.",
                },
            ],
            PrepareRequest = Authorize,
            GetCommandResult = ResultAsync,
        });

    static Task Authorize(HttpCommandRequestContext context)
    {
        var key = context.Arguments.GetString(KeyArgument) is { Length: > 0 } given ? given
            : context.Services.GetRequiredService<IConfiguration>()["API_KEY"] is { Length: > 0 } configured ? configured
            : context.Services.GetRequiredService<FirstKeyBlock>().Key;
        if (key is not null)
            context.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Task.CompletedTask;
    }

    static async Task<ExecuteCommandResult> ResultAsync(HttpCommandResultContext context)
    {
        var response = context.Response;
        // Every answer of Proxy.Api is JSON: the result, or a problem body that says what is wrong.
        var body = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true
            ? await response.Content.ReadFromJsonAsync<JsonObject>(context.CancellationToken)
            : null;
        if (!response.IsSuccessStatusCode || body is null)
            return CommandResults.Failure(body?["detail"]?.GetValue<string>() is { } detail
                ? $"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}"
                : $"{(int)response.StatusCode} {response.ReasonPhrase}");
        string List(string name) => string.Join(", ", body[name]!.AsArray().Select(n => n!.GetValue<string>()));
        var changed = $"mcp-config.json reloaded: added [{List("added")}], removed [{List("removed")}], restarted [{List("restarted")}], " +
            $"{body["unchanged"]!.AsArray().Count} unchanged.";
        // Shown at once in a dialog: the toast alone says only "succeeded".
        return CommandResults.Success(changed, changed, CommandResultFormat.Text, displayImmediately: true);
    }
}
