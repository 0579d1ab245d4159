Console.WriteLine("McpOrch.AppHost: backing servers and services are not wired yet.");
