namespace McpOrch.Bench.Load;

public enum ClientKind
{
    /// <summary>ModelContextProtocol.Core (the C# SDK), in this process.</summary>
    CSharp,

    /// <summary>@modelcontextprotocol/sdk (the TypeScript SDK), ts-client/bench.mjs on Node 22.</summary>
    TypeScript,
}
