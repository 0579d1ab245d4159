namespace McpOrch.AppHost.Tests;

public sealed class FirstKeyBlockTests
{
    const string Ruler = "================================================================================";

    [Fact]
    public void The_block_and_its_key_are_read_from_among_other_lines()
    {
        var block = new FirstKeyBlock();
        string[] output =
        [
            "info: Microsoft.Hosting.Lifetime[14] Now listening on: http://127.0.0.1:8080",
            Ruler,
            " MCP Orch made its first API key, with every permission. It is shown only now:",
            "",
            "   mco_QRUXbROD8MZY0HGXEV8GjHVy20LnXgEHmfU0eu6deik",
            "",
            " Send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'. Keep it in a",
            Ruler,
            "warn: Proxy.Api.Security.FirstKey[0] No API key existed: made the admin key key_first_admin (mco_QRUX…)",
        ];
        foreach (var line in output)
            block.Read(line);

        Assert.Equal("mco_QRUXbROD8MZY0HGXEV8GjHVy20LnXgEHmfU0eu6deik", block.Key);
        Assert.Equal(output[1..8], block.Lines);
    }

    [Fact]
    public void A_block_of_rulers_that_holds_no_first_key_is_not_taken_for_one()
    {
        var block = new FirstKeyBlock();
        foreach (var line in new[] { Ruler, " Something else, mco_ mentioned", Ruler })
            block.Read(line);

        Assert.Null(block.Key);
        Assert.Null(block.Lines);
    }
}
