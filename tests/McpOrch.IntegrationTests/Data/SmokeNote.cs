namespace McpOrch.IntegrationTests.Data;

public sealed class SmokeNote
{
    public int Id { get; set; }

    public required string Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
