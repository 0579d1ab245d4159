namespace McpOrch.IntegrationTests.Messaging;

/// <summary>Where <see cref="SmokeMessageConsumer"/> hands over what it consumed, for the test to await.</summary>
public sealed class SmokeInbox
{
    readonly TaskCompletionSource<SmokeMessage> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<SmokeMessage> Received => _received.Task;

    public void Deliver(SmokeMessage message) => _received.TrySetResult(message);
}
