namespace McpOrch.IntegrationTests.Messaging;

/// <summary>MassTransit names exchanges after message types, which must therefore live in a namespace.</summary>
public sealed record SmokeMessage(string Text);
