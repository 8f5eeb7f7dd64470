using System.Text.Json;

namespace Baton.AI.Planning;

/// <summary>One step of a <see cref="Plan"/>: run a skill with arguments once the steps it depends on are done.</summary>
/// <param name="Id">Unique in the plan; names the step's node and journal scope.</param>
/// <param name="Skill">The name of the skill to run.</param>
/// <param name="Args">
/// The skill's arguments, a JSON object. A value <c>{"$ref": "s1"}</c> stands for the output of step
/// <c>s1</c>, and <c>{"$ref": "s1", "path": "items.0.title"}</c> for a part of it; the referenced step
/// must be in <paramref name="DependsOn"/>.
/// </param>
/// <param name="DependsOn">Ids of the steps that must complete first.</param>
public sealed record PlanStep(string Id, string Skill, JsonElement Args, IReadOnlyList<string> DependsOn);
