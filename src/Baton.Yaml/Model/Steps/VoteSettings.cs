namespace Baton.Yaml.Model.Steps;

/// <summary>How a vote decides.</summary>
/// <param name="Strategy">unanimous, majority, weighted or judge.</param>
/// <param name="Judge">The judging agent, when there is one.</param>
/// <param name="OnTie">first, judge or human.</param>
public sealed record VoteSettings(string Strategy, string? Judge, string OnTie);
