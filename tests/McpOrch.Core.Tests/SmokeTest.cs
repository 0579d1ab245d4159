namespace McpOrch.Core.Tests;
public class SmokeTest { [Fact] public void Runs() => Assert.Equal(2, 1 + 1); }
