namespace Baton;

/// <summary>An event a subscriber could not handle after all its delivery attempts.</summary>
/// <param name="Message">The event.</param>
/// <param name="Subscriber">The subscription that failed.</param>
/// <param name="Error">The last failure.</param>
/// <param name="Attempts">Deliveries tried.</param>
/// <param name="Timestamp">When it was dead-lettered.</param>
/// <param name="RunId">
/// For a workflow or agent subscriber, the run the event started: it holds every step that
/// completed, so it can be inspected and resumed (<see cref="BatonRuntime.ResumeAsync"/>).
/// </param>
public sealed record DeadLetter(Message Message, string Subscriber, StepError Error, int Attempts, DateTimeOffset Timestamp, string? RunId = null);
