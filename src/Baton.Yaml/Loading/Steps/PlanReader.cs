using System.Text.RegularExpressions;
using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`plan: { planner, skills, maxReplans }`: the planner names a model, each skill an agent (or a tool) of the file.</summary>
internal sealed partial class PlanReader : IStepKindReader
{
    private static readonly string[] Keys = ["planner", "skills", "maxReplans"];

    public string Keyword => "plan";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        if (nodes.Mapping(value, "'plan'") is not { } mapping) return null;
        var keys = nodes.Keys(mapping, "'plan'", Keys);
        if (!keys.TryGetValue("planner", out var plannerNode) || !keys.TryGetValue("skills", out var skillsNode))
        {
            steps.Diagnostics.Add(mapping, "'plan' needs 'planner' (a model) and 'skills' (a list of agents or tools)");
            return null;
        }

        var planner = nodes.Name(plannerNode.Value, "'planner'");
        if (planner is not null)
        {
            // Models, agents and tools are all known once the file is read (a plan may sit in an agent's workflow, read before them).
            steps.References.Defer(diagnostics =>
            {
                if (steps.ModelNames.Contains(planner)) return;
                var hint = steps.AgentNames.Contains(planner) ? $" ('{planner}' is an agent; 'planner' names a model of 'models')" : DidYouMean.For(planner, steps.ModelNames);
                diagnostics.Add(plannerNode.Value, $"there is no model '{planner}'{hint}");
            });
        }

        var skills = new List<string>();
        if (nodes.Sequence(skillsNode.Value, "'skills'") is { } list)
        {
            if (list.Children.Count == 0) steps.Diagnostics.Add(list, "'skills' lists no agent or tool");
            foreach (var item in list)
            {
                if (nodes.Name(item, "a skill") is not { } skill) continue;
                if (!SkillName().IsMatch(skill)) steps.Diagnostics.Add(item, $"skill '{skill}' must start with a letter (a plan names its skills in JSON)");
                else if (skills.Contains(skill)) steps.Diagnostics.Add(item, $"skill '{skill}' is listed twice");
                else
                {
                    skills.Add(skill);
                    steps.References.Defer(diagnostics =>
                    {
                        if (steps.AgentNames.Contains(skill) || steps.ToolNames.Contains(skill)) return;
                        diagnostics.Add(item, $"there is no agent or tool '{skill}'{DidYouMean.For(skill, steps.AgentNames.Concat(steps.ToolNames))}");
                    });
                }
            }
        }

        var maxReplans = keys.TryGetValue("maxReplans", out var mr) ? nodes.Integer(mr.Value, "'maxReplans'", 0) ?? 1 : 1;
        if (planner is null || skills.Count == 0) return null;
        return new PlanDefinition(planner, skills, StepReader.Line(value), StepReader.Column(value)) { MaxReplans = maxReplans };
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]
    private static partial Regex SkillName();
}
