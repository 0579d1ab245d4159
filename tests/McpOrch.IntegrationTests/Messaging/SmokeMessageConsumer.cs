using MassTransit;

namespace McpOrch.IntegrationTests.Messaging;

public sealed class SmokeMessageConsumer(SmokeInbox inbox) : IConsumer<SmokeMessage>
{
    public Task Consume(ConsumeContext<SmokeMessage> context)
    {
        inbox.Deliver(context.Message);
        return Task.CompletedTask;
    }
}
