namespace Baton;

/// <summary>What a <see cref="HumanStep"/> asks: its input.</summary>
internal sealed record HumanQuestion(string Prompt, IReadOnlyList<string> Choices, Payload? Details);
