using System.Collections.Concurrent;

namespace Baton.Samples;

/// <summary>
/// Event-driven: email, calendar and notification agents react to events on the runtime's bus.
/// The email agent triages every <c>email.*</c> event and, from inside its step, publishes a
/// calendar request for meetings and a notification for the rest; the calendar workflow books
/// a slot and notifies; the notifier delivers; an audit subscriber sees every topic.
/// </summary>
public static class InboxSample
{
    private sealed record Email(string From, string Subject);

    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var did = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        void Log(string agent, string what) => did.GetOrAdd(agent, _ => new()).Enqueue(what);

        // An agent: runs (journaled, as a one-step workflow) for each matching event.
        var emailAgent = Agent.Create("email-agent", (input, context, ct) =>
        {
            var mail = input.Get<Email>()!;
            if (mail.Subject.Contains("meeting", StringComparison.OrdinalIgnoreCase))
            {
                context.Publish("calendar.request", Payload.From(mail)); // sent when the step commits
                Log("email-agent", $"'{mail.Subject}' from {mail.From}: asked the calendar for a slot");
            }
            else
            {
                context.Publish("notify.user", $"{mail.From} wrote: {mail.Subject}");
                Log("email-agent", $"'{mail.Subject}' from {mail.From}: asked to notify the user");
            }

            return ValueTask.FromResult(AgentResult.Success("triaged"));
        });

        // A workflow: a run starts for each matching event, with the event's payload as input.
        var calendar = SequentialBuilder.Create("calendar",
            Agent.Create("find-slot", request => Payload.From(new { slot = "Friday 10:00", with = request.Get<Email>()!.From })),
            Agent.Create("book", (slot, context, ct) =>
            {
                var booked = $"booked {slot.AsJson().GetProperty("slot")} with {slot.AsJson().GetProperty("with")}";
                context.Publish("notify.user", booked);
                Log("calendar", booked);
                return ValueTask.FromResult(AgentResult.Success(booked));
            }));

        await using var runtime = new BatonRuntime();
        runtime.Events.Subscribe("email.*", emailAgent);
        runtime.Events.Subscribe("calendar.*", calendar);
        runtime.Events.Subscribe("notify.*", "notifier", (message, ct) =>
        {
            Log("notifier", $"pushed to phone: {message.Payload}");
            return ValueTask.CompletedTask;
        });
        var topics = new ConcurrentQueue<string>();
        var audit = runtime.Events.Subscribe("*", "audit", (message, ct) =>
        {
            topics.Enqueue(message.Topic!);
            return ValueTask.CompletedTask;
        });

        await runtime.Events.PublishAsync("email.received", Payload.From(new Email("ana@example.com", "Team meeting next week?")), cancellationToken);
        await runtime.Events.PublishAsync("email.received", Payload.From(new Email("bob@example.com", "Invoice #42")), cancellationToken);
        await runtime.Events.PublishAsync("email.urgent", Payload.From(new Email("ops@example.com", "Server down")), cancellationToken);

        // Completes once every event, including those published by steps, was delivered or dead-lettered.
        await runtime.Events.WhenIdleAsync(cancellationToken);

        // Each subscriber handles its own events in order, but subscribers run concurrently:
        // the calendar's notification may reach the notifier before or after the others.
        foreach (var agent in new[] { "email-agent", "calendar", "notifier" })
        {
            Console.WriteLine($"{agent}:");
            foreach (var line in did.GetValueOrDefault(agent) ?? []) Console.WriteLine($"  {line}");
        }

        Console.WriteLine($"audit saw {audit.Delivered} events: {string.Join(", ", topics.Order())}");
        Console.WriteLine($"dead letters: {runtime.Events.DeadLetters.Count}");
        return runtime.Events.DeadLetters.Count == 0 && audit.Delivered == 7 ? 0 : 1;
    }
}
