using McpOrch.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Tests.Configuration;

public sealed class OrchConfigurationTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("orch-config-").FullName;
    readonly Dictionary<string, string> _environment = [];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    void Write(string file, string text) => File.WriteAllText(Path.Combine(_folder, file), text);

    OrchSettings Load(params string[] args) => OrchConfiguration.Load(new ConfigurationBuilder(), args, _environment, _folder);

    IReadOnlyList<string> Errors(params string[] args) => Assert.Throws<OrchConfigurationException>(() => Load(args)).Errors;

    string Error(params string[] args) => Assert.Single(Errors(args));

    const string FullYaml = """
        # every section
        server:
          host: 0.0.0.0
          port: 9000
          mode: proxy
          log_level: debug
        security:
          enable_auth: false
          api_keys:
            - name: ci
              key: ci-secret-key
              permissions: [read, execute]
            - name: admin
              key: admin-secret-key
              permissions: read, write, execute
        llm:
          provider: openai
          openai:
            endpoint: http://127.0.0.1:11434/v1
            api_key: sk-test
            model: gpt-4.1-mini
          bedrock:
            region: eu-west-1
        execution:
          max_parallel_tasks: 4
          task_timeout: 90
          retry_count: 0
        """;

    [Fact]
    public void Without_any_file_the_defaults_apply_and_the_missing_server_list_is_a_warning()
    {
        var settings = Load();

        var options = settings.Options;
        Assert.Equal(("127.0.0.1", 8080, ServerMode.Hybrid), (options.Server.Host, options.Server.Port, options.Server.Mode));
        Assert.True(options.Security.EnableAuth);
        Assert.Null(options.Llm.Provider);
        Assert.Equal((10, TimeSpan.FromSeconds(300), 3),
            (options.Execution.MaxParallelTasks, options.Execution.TaskTimeout, options.Execution.RetryCount));
        Assert.Empty(settings.Servers.Servers);
        Assert.Equal($"mcp-config.json: not found in {_folder}: no MCP servers are configured; pass --config PATH to use one.",
            Assert.Single(settings.Warnings));
    }

    [Fact]
    public void Config_yaml_sets_every_section()
    {
        Write("config.yaml", FullYaml);

        var options = Load().Options;

        Assert.Equal(("0.0.0.0", 9000, ServerMode.Proxy, LogLevel.Debug),
            (options.Server.Host, options.Server.Port, options.Server.Mode, options.Server.LogLevel));
        Assert.False(options.Security.EnableAuth);
        Assert.Collection(options.Security.ApiKeys,
            ci =>
            {
                Assert.Equal(("ci", "ci-secret-key"), (ci.Name, ci.Key));
                Assert.Equal([Permission.Read, Permission.Execute], ci.Permissions);
            },
            admin => Assert.Equal([Permission.Read, Permission.Write, Permission.Execute], admin.Permissions));
        Assert.Equal(LlmProvider.OpenAI, options.Llm.Provider);
        Assert.Equal(("http://127.0.0.1:11434/v1", "sk-test", "gpt-4.1-mini"),
            (options.Llm.OpenAI.Endpoint, options.Llm.OpenAI.ApiKey, options.Llm.OpenAI.Model));
        Assert.Equal("eu-west-1", options.Llm.Bedrock.Region);
        Assert.Equal((4, TimeSpan.FromSeconds(90), 0),
            (options.Execution.MaxParallelTasks, options.Execution.TaskTimeout, options.Execution.RetryCount));
    }

    [Fact]
    public void Key_allow_lists_rate_limits_and_the_insecure_switch_are_read()
    {
        Write("config.yaml", """
            security:
              rate_limit: 0
              audit_arguments: hash
              api_keys:
                - { name: ci, key: k, permissions: [read, execute], servers: [git*], tools: [github.list_*], rate_limit: 30 }
            """);

        var security = Load("--insecure").Options.Security;

        Assert.True(security.Insecure);
        Assert.Equal((0, AuditArguments.Hash), (security.RateLimit, security.AuditArguments));
        var key = Assert.Single(security.ApiKeys);
        Assert.Equal(["git*"], key.Servers);
        Assert.Equal(["github.list_*"], key.Tools);
        Assert.Equal(30, key.RateLimit);
        Assert.False(Load().Options.Security.Insecure);
    }

    [Fact]
    public void Well_known_environment_variables_override_config_yaml()
    {
        Write("config.yaml", FullYaml);
        _environment["PROXY_PORT"] = "9100";
        _environment["LOG_LEVEL"] = "WARN";
        _environment["API_KEY"] = "env-key";
        _environment["JWT_SECRET"] = "jwt-secret";
        _environment["AZURE_AI_ENDPOINT"] = "https://foundry.example.com";
        _environment["AZURE_AI_API_KEY"] = "azure-key";
        _environment["AWS_REGION"] = "us-east-1";
        _environment["AWS_ACCESS_KEY_ID"] = "AKIA";
        _environment["AWS_SECRET_ACCESS_KEY"] = "aws-secret";

        var options = Load().Options;

        Assert.Equal(9100, options.Server.Port);
        Assert.Equal(LogLevel.Warning, options.Server.LogLevel);
        Assert.Equal(("env-key", "jwt-secret"), (options.Security.ApiKey, options.Security.JwtSecret));
        Assert.Equal(("https://foundry.example.com", "azure-key"), (options.Llm.Azure.Endpoint, options.Llm.Azure.ApiKey));
        Assert.Equal(("us-east-1", "AKIA", "aws-secret"),
            (options.Llm.Bedrock.Region, options.Llm.Bedrock.AccessKeyId, options.Llm.Bedrock.SecretAccessKey));
        Assert.Equal("0.0.0.0", options.Server.Host);
    }

    [Fact]
    public void The_dotnet_form_overrides_the_well_known_names_and_the_command_line_overrides_both()
    {
        Write("config.yaml", FullYaml);
        _environment["PROXY_PORT"] = "9100";
        _environment["McpOrch__Server__Port"] = "9200";
        _environment["McpOrch__Execution__MaxParallelTasks"] = "16";
        _environment["MCPORCH__EXECUTION__RETRYCOUNT"] = "7";

        var fromEnvironment = Load().Options;
        Assert.Equal((9200, 16, 7), (fromEnvironment.Server.Port, fromEnvironment.Execution.MaxParallelTasks, fromEnvironment.Execution.RetryCount));

        var fromCommandLine = Load("--port", "9300", "--max-parallel-tasks=32", "--task-timeout", "5m", "--McpOrch:Execution:RetryCount=1").Options;
        Assert.Equal((9300, 32, TimeSpan.FromMinutes(5), 1), (fromCommandLine.Server.Port, fromCommandLine.Execution.MaxParallelTasks,
            fromCommandLine.Execution.TaskTimeout, fromCommandLine.Execution.RetryCount));
    }

    [Fact]
    public void Files_are_found_by_option_or_environment_variable()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "etc"));
        Write("etc/orch.yaml", "server:\n  port: 7000\n");
        Write("etc/servers.json", """{"mcpServers": {"memory": {"command": "npx"}}}""");

        var byOption = Load("--config-yaml", "etc/orch.yaml", "--config", "etc/servers.json");
        Assert.Equal(7000, byOption.Options.Server.Port);
        Assert.Equal("memory", Assert.Single(byOption.Servers.Servers).Name);
        Assert.Equal(Path.Combine(_folder, "etc", "servers.json"), byOption.Servers.Source);
        Assert.Empty(byOption.Warnings);

        _environment[OrchConfiguration.SettingsFileVariable] = "etc/orch.yaml";
        _environment["MCP_CONFIG"] = "etc/servers.json";
        var byEnvironment = Load();
        Assert.Equal(7000, byEnvironment.Options.Server.Port);
        Assert.Single(byEnvironment.Servers.Servers);
    }

    [Fact]
    public void An_mcp_config_path_in_config_yaml_is_relative_to_config_yaml()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "etc"));
        Write("etc/config.yaml", "server:\n  mcp_config: servers.json\n");
        Write("etc/servers.json", """{"mcpServers": {"memory": {"command": "npx"}}}""");

        Assert.Equal("memory", Assert.Single(Load("--config-yaml", "etc/config.yaml").Servers.Servers).Name);
    }

    [Fact]
    public void Mcp_config_json_in_the_current_folder_is_read_by_default()
    {
        Write("mcp-config.json", """{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}}""");
        Assert.Equal("memory", Assert.Single(Load().Servers.Servers).Name);
    }

    [Fact]
    public void Config_yaml_expands_environment_references()
    {
        Write("config.yaml", "security:\n  jwt_secret: ${SIGNING_KEY}\nserver:\n  host: ${BIND:-0.0.0.0}\n");
        _environment["SIGNING_KEY"] = "s3cret";

        var options = Load().Options;

        Assert.Equal(("s3cret", "0.0.0.0"), (options.Security.JwtSecret, options.Server.Host));
        _environment.Remove("SIGNING_KEY");
        Assert.Equal("config.yaml: line 2: security.jwt_secret: environment variable SIGNING_KEY is not set: set it, or give a default with ${SIGNING_KEY:-value}.",
            Error());
    }

    [Fact]
    public void The_samples_load_without_errors_or_warnings()
    {
        var samples = Path.Combine(AppContext.BaseDirectory, "samples");
        var settings = OrchConfiguration.Load(new ConfigurationBuilder(), [], _environment, samples);

        Assert.Empty(settings.Warnings);
        Assert.Equal(["everything", "memory", "filesystem", "github"], settings.Servers.Servers.Select(s => s.Name));
        Assert.Equal(["everything", "memory", "filesystem"], settings.Servers.Enabled.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromSeconds(300), settings.Options.Execution.TaskTimeout);
    }

    [Fact]
    public void Unknown_yaml_keys_are_warnings_with_their_line_and_a_suggestion()
    {
        Write("config.yaml", "server:\n  prot: 9000\nexecuton:\n  retry_count: 1\n");

        var settings = Load();

        Assert.Equal(8080, settings.Options.Server.Port);
        Assert.Contains("config.yaml: line 2: server.prot: unknown key, ignored (did you mean 'server.port'?).", settings.Warnings);
        Assert.Contains("config.yaml: line 3: executon: unknown key, ignored (did you mean 'execution'?).", settings.Warnings);
    }

    [Fact]
    public void Llm_keys_written_flat_in_config_yaml_suggest_the_block_of_the_configured_provider()
    {
        Write("config.yaml", "llm:\n  endpoint: http://127.0.0.1:8000/v1\n  model: m\n");
        Assert.Equal([
            "config.yaml: line 2: llm.endpoint: unknown key, ignored (did you mean 'llm.azure.endpoint'?).",
            "config.yaml: line 3: llm.model: unknown key, ignored (did you mean 'llm.azure.model'?).",
        ], Load().Warnings.Where(w => w.StartsWith("config.yaml", StringComparison.Ordinal)));

        Write("config.yaml", "llm:\n  provider: ollama\n  endpoint: http://127.0.0.1:8000/v1\n  model: m\n");
        Assert.Equal([
            "config.yaml: line 3: llm.endpoint: unknown key, ignored (did you mean 'llm.ollama.endpoint'?).",
            "config.yaml: line 4: llm.model: unknown key, ignored (did you mean 'llm.ollama.model'?).",
        ], Load().Warnings.Where(w => w.StartsWith("config.yaml", StringComparison.Ordinal)));
    }

    [Fact]
    public void Unknown_keys_in_the_environment_and_on_the_command_line_are_warnings_with_the_nearest_key_in_their_own_form()
    {
        _environment["McpOrch__Llm__Endpoint"] = "http://127.0.0.1:8000/v1";
        _environment["McpOrch__Execution__MaxParalelTasks"] = "3";
        _environment["MCPORCH__SECURITY__APIKEYS__0__NAME"] = "ci";
        _environment["McpOrch__Security__ApiKeys__0__Key"] = "k";
        _environment["McpOrch__Security__ApiKeys__0__Permissions"] = "read";
        _environment["McpOrch__Llm__Bedrock__Model"] = "m";

        var settings = Load("--McpOrch:Server:Prot=9000", "--McpOrch:Execution:RetryCount", "1");

        Assert.Equal([
            "environment variable McpOrch__Execution__MaxParalelTasks: execution.max_paralel_tasks: unknown key, ignored (did you mean 'McpOrch__Execution__MaxParallelTasks'?).",
            "environment variable McpOrch__Llm__Endpoint: llm.endpoint: unknown key, ignored (did you mean 'McpOrch__Llm__Azure__Endpoint'?).",
            "command-line option --McpOrch:Server:Prot: server.prot: unknown key, ignored (did you mean '--McpOrch:Server:Port'?).",
        ], settings.Warnings.Where(w => !w.StartsWith("mcp-config.json", StringComparison.Ordinal)));
        Assert.Equal(1, settings.Options.Execution.RetryCount);
        Assert.Equal("ci", Assert.Single(settings.Options.Security.ApiKeys).Name);
    }

    [Fact]
    public void With_no_provider_the_azure_variables_choose_azure()
    {
        Write("config.yaml", "llm:\n  azure:\n    model: gpt-4.1\n");
        _environment["AZURE_AI_ENDPOINT"] = "https://foundry.example.com";
        _environment["AZURE_AI_API_KEY"] = "azure-secret";

        var settings = Load();

        Assert.Equal(LlmProvider.Azure, settings.Options.Llm.Provider);
        Assert.Null(settings.LlmProblem);
    }

    [Fact]
    public void With_no_provider_the_AWS_variables_choose_bedrock()
    {
        _environment["AWS_REGION"] = "eu-west-1";
        _environment["AWS_ACCESS_KEY_ID"] = "AKIA";
        _environment["AWS_SECRET_ACCESS_KEY"] = "aws-secret";
        _environment["McpOrch__Llm__Bedrock__Model"] = "anthropic.claude";

        Assert.Equal(LlmProvider.Bedrock, Load().Options.Llm.Provider);
    }

    [Fact]
    public void Provider_variables_without_the_rest_name_what_was_found_and_what_is_missing_never_a_value()
    {
        Write("config.yaml", "llm:\n  bedrock:\n    model: anthropic.claude\n");
        _environment["AWS_REGION"] = "eu-west-1";
        _environment["AWS_ACCESS_KEY_ID"] = "AKIA-SECRET-ID";

        var settings = Load();

        Assert.Null(settings.Options.Llm.Provider);
        Assert.Equal("found llm.bedrock.model (config.yaml: line 3), AWS_REGION, AWS_ACCESS_KEY_ID for the bedrock provider; " +
            "missing llm.bedrock.secret_access_key (set AWS_SECRET_ACCESS_KEY, or llm.bedrock.secret_access_key in config.yaml).", settings.LlmProblem);
        Assert.Contains($"llm: {settings.LlmProblem} Until then natural-language batch requests are refused (503).", settings.Warnings);
        Assert.DoesNotContain(settings.Warnings, w => w.Contains("AKIA-SECRET-ID", StringComparison.Ordinal) || w.Contains("eu-west-1", StringComparison.Ordinal));

        _environment.Remove("AWS_REGION");
        _environment.Remove("AWS_ACCESS_KEY_ID");
        _environment["AZURE_AI_ENDPOINT"] = "https://foundry.example.com";
        _environment["AZURE_AI_API_KEY"] = "azure-secret";
        File.Delete(Path.Combine(_folder, "config.yaml"));
        Assert.Equal("found AZURE_AI_ENDPOINT, AZURE_AI_API_KEY for the azure provider; " +
            "missing llm.azure.model (set llm.azure.model in config.yaml, or McpOrch__Llm__Azure__Model).", Load().LlmProblem);
    }

    [Fact]
    public void Variables_of_two_providers_choose_neither_and_say_so()
    {
        Write("config.yaml", "llm:\n  azure:\n    model: gpt-4.1\n");
        _environment["AZURE_AI_ENDPOINT"] = "https://foundry.example.com";
        _environment["AZURE_AI_API_KEY"] = "azure-secret";
        _environment["AWS_REGION"] = "eu-west-1";

        var settings = Load();

        Assert.Null(settings.Options.Llm.Provider);
        Assert.Equal("found AZURE_AI_ENDPOINT, AZURE_AI_API_KEY for the azure provider and AWS_REGION for the bedrock provider; " +
            "missing llm.provider, to choose one (set it in config.yaml, or McpOrch__Llm__Provider).", settings.LlmProblem);

        Write("config.yaml", "llm:\n  provider: azure\n  azure:\n    model: gpt-4.1\n");
        var chosen = Load();
        Assert.Equal(LlmProvider.Azure, chosen.Options.Llm.Provider);
        Assert.Null(chosen.LlmProblem);
    }

    [Theory]
    [InlineData("server:\n  port: abc\n", "config.yaml: line 2: server.port: must be a whole number, not 'abc'.")]
    [InlineData("server:\n  port: 70000\n", "config.yaml: line 2: server.port: must be between 1 and 65535.")]
    [InlineData("server:\n  mode: turbo\n", "config.yaml: line 2: server.mode: must be one of proxy, batch, hybrid, not 'turbo'.")]
    [InlineData("security:\n  enable_auth: maybe\n", "config.yaml: line 2: security.enable_auth: must be true or false, not 'maybe'.")]
    [InlineData("llm:\n  provider: gemini\n", "config.yaml: line 2: llm.provider: must be one of azure, openai, anthropic, bedrock, ollama, not 'gemini'.")]
    [InlineData("execution:\n  task_timeout: soon\n", "config.yaml: line 2: execution.task_timeout: must be a duration: seconds (300) or a number with a unit (500ms, 30s, 5m, 1h), not 'soon'.")]
    [InlineData("execution:\n  task_timeout: 0\n", "config.yaml: line 2: execution.task_timeout: must be more than 0 and at most 1 day.")]
    [InlineData("execution:\n  max_parallel_tasks: 0\n", "config.yaml: line 2: execution.max_parallel_tasks: must be between 1 and 1000.")]
    [InlineData("security:\n  jwt_max_lifetime: 0\n", "config.yaml: line 2: security.jwt_max_lifetime: must be between 1m and 8760h (a year).")]
    [InlineData("execution: fast\n", "config.yaml: line 1: execution: must be a section of 'key: value' lines.")]
    [InlineData("server:\n  port: [1, 2]\n", "config.yaml: line 2: server.port: must be a single value, not a list.")]
    [InlineData("security:\n  api_keys:\n    name: ci\n", "config.yaml: line 3: security.api_keys: must be a list ('- item' lines or [a, b]).")]
    [InlineData("security:\n  api_keys:\n    - name: ci\n      key: k\n      permissions: [read, admin]\n",
        "config.yaml: line 5: security.api_keys[0].permissions[1]: must be one of read, write, execute, not 'admin'.")]
    [InlineData("- server\n- port\n", "config.yaml: line 1: must be a mapping with the sections server, security, llm and execution.")]
    public void Bad_yaml_values_name_the_line_and_the_fix(string yaml, string expected)
    {
        Write("config.yaml", yaml);
        Assert.Equal(expected, Error());
    }

    [Fact]
    public void Invalid_yaml_names_the_line_and_column()
    {
        Write("config.yaml", "server:\n  port: 1\n   host: x\n");
        var error = Error();
        Assert.StartsWith("config.yaml: line 3, column ", error);
        Assert.Contains(": not valid YAML (", error);
        Assert.EndsWith("): fix the syntax there.", error);
    }

    [Fact]
    public void A_key_given_twice_in_yaml_names_its_second_line()
    {
        Write("config.yaml", "server:\n  port: 1\n  port: 2\n");
        Assert.StartsWith("config.yaml: line 3, column 3: not valid YAML (Duplicate key", Error());
    }

    [Fact]
    public void An_api_key_without_its_key_is_reported_without_revealing_the_others()
    {
        Write("config.yaml", "security:\n  api_keys:\n    - name: ci\n      permissions: [read]\n    - name: ok\n      key: top-secret-value\n      permissions: [read]\n");

        var error = Error();

        Assert.Equal("config.yaml: line 3: security.api_keys[0].key: is required.", error);
        Assert.DoesNotContain("top-secret-value", error);
    }

    [Fact]
    public void A_bad_environment_override_names_the_variable()
    {
        _environment["PROXY_PORT"] = "eighty";
        _environment["LOG_LEVEL"] = "loud";
        _environment["McpOrch__Execution__RetryCount"] = "-1";

        Assert.Equal([
            "environment variable PROXY_PORT: server.port: must be a whole number, not 'eighty'.",
            "environment variable LOG_LEVEL: server.log_level: must be one of trace, debug, information, warning, error, critical, none, not 'loud'.",
            "environment variable McpOrch__Execution__RetryCount: execution.retry_count: must be between 0 and 100.",
        ], Errors());
    }

    [Fact]
    public void A_bad_command_line_value_names_the_option()
    {
        Write("config.yaml", "server:\n  port: 9000\n");
        Assert.Equal("command-line option --port: server.port: must be between 1 and 65535.", Error("--port", "0"));
    }

    [Fact]
    public void An_unknown_command_line_option_is_an_error_with_a_suggestion()
    {
        var error = Error("--prot", "9000");
        Assert.StartsWith("command line: unknown option --prot (did you mean '--port'?): the options are --config, --config-yaml,", error);
    }

    [Fact]
    public void A_command_line_option_without_a_value_is_an_error()
    {
        Assert.Equal("command line: --port needs a value, e.g. --port VALUE.", Error("--port"));
    }

    [Fact]
    public void A_settings_file_that_does_not_exist_is_an_error_when_asked_for()
    {
        Assert.Equal("--config-yaml: prod.yaml: no such file: give the path of your config.yaml, or leave it out to use defaults.",
            Error("--config-yaml", "prod.yaml"));
        _environment[OrchConfiguration.SettingsFileVariable] = "other.yaml";
        Assert.Equal("environment variable MCP_ORCH_CONFIG_YAML: other.yaml: no such file: give the path of your config.yaml, or leave it out to use defaults.",
            Error());
    }

    [Fact]
    public void An_mcp_config_that_does_not_exist_is_an_error_when_asked_for()
    {
        Write("config.yaml", "server:\n  mcp_config: servers.json\n");
        Assert.Equal("config.yaml: line 2: server.mcp_config: servers.json: no such file: give the path of your mcp-config.json.", Error());
        Assert.Equal("command-line option --config: server.mcp_config: other.json: no such file: give the path of your mcp-config.json.",
            Error("--config", "other.json"));
    }

    [Fact]
    public void Problems_of_both_files_are_reported_together()
    {
        Write("config.yaml", "server:\n  port: x\n");
        Write("mcp-config.json", """{"mcpServers": {"a": {}}}""");

        Assert.Equal([
            "config.yaml: line 2: server.port: must be a whole number, not 'x'.",
            """mcp-config.json: mcpServers.a: needs "command" (stdio) or "url" (remote).""",
        ], Errors());
    }

    [Fact]
    public void Mcp_config_json_expands_variables_from_the_given_environment()
    {
        Write("mcp-config.json", """{"mcpServers": {"gh": {"command": "gh-mcp", "env": {"TOKEN": "${GH_TOKEN}"}}}}""");
        _environment["GH_TOKEN"] = "from-env";
        Assert.Equal("from-env", Assert.Single(Load().Servers.Servers).Env["TOKEN"]);
    }
}
