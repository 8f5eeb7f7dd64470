namespace Baton;

/// <summary>A committed write to a state variable, as a watcher sees it.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Update">What the step wrote.</param>
/// <param name="Value">The variable's value after its reducer combined the write.</param>
/// <param name="StepKey">The key of the step whose commit made the write.</param>
public sealed record StateChanged(string Name, Payload Update, Payload Value, string? StepKey);
