using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>
/// The skills a planner may use: C# methods and delegates (through <see cref="AIFunctionFactory"/>,
/// whose parameter schema becomes the skill's), <see cref="AIFunction"/>s, and Baton agents with a
/// schema written by hand or derived from an arguments type; and <see cref="IToolSource"/>s (an MCP server the run
/// starts), whose tools become skills once a run is under way (<see cref="ResolveAsync"/>). A tool that needs approval
/// (<see cref="ApprovalRequiredTool"/>) asks before each call, as it does when a model calls it.
/// </summary>
public sealed partial class SkillRegistry
{
    private readonly Dictionary<string, Skill> _skills = new(StringComparer.Ordinal);
    private readonly List<Skill> _ordered = [];
    private readonly List<IToolSource> _sources = [];

    /// <summary>The skills, in the order they were added.</summary>
    public IReadOnlyList<Skill> Skills => _ordered;

    /// <summary>Adds a C# method or delegate as a skill; its parameters become the arguments schema.</summary>
    /// <param name="method">The method; a lambda, a method group or a delegate.</param>
    /// <param name="name">The skill's name; the method's name by default.</param>
    /// <param name="description">What it does; the method's <c>[Description]</c> by default.</param>
    public SkillRegistry Add(Delegate method, string? name = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Add(AIFunctionFactory.Create(method, name, description));
    }

    /// <summary>Adds an <see cref="AIFunction"/> (a tool) as a skill; its <see cref="AIFunctionDeclaration.JsonSchema"/> is the arguments schema.</summary>
    public SkillRegistry Add(AIFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Add(new Skill(function.Name, function.Description, function.JsonSchema, new FunctionSkillAgent(function)));
    }

    /// <summary>
    /// Adds every tool of <paramref name="source"/> as a skill, each under its own name, with its own description and
    /// arguments schema; they are known once a run is under way (see <see cref="ResolveAsync"/>).
    /// </summary>
    public SkillRegistry Add(IToolSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_sources.Contains(source)) throw new ArgumentException($"tool source '{source.Name}' is already registered", nameof(source));
        _sources.Add(source);
        return this;
    }

    /// <summary>The tool sources whose tools are skills in a run.</summary>
    public IReadOnlyList<IToolSource> Sources => _sources;

    /// <summary>
    /// The skills of a run: these, with the tools of each <see cref="Sources"/> added (this registry itself when it has
    /// no source).
    /// </summary>
    /// <exception cref="AgentException">A source's tools cannot be had (code <c>mcp_unavailable</c>), or a tool's name
    /// is taken or cannot name a skill (code <c>skill_conflict</c>).</exception>
    public async ValueTask<SkillRegistry> ResolveAsync(IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_sources.Count == 0) return this;
        var resolved = new SkillRegistry();
        foreach (var skill in _ordered) resolved.Add(skill);
        foreach (var source in _sources)
        {
            foreach (var tool in await source.GetToolsAsync(context, cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    resolved.Add(tool);
                }
                catch (ArgumentException ex)
                {
                    throw new AgentException(ErrorKind.Fatal, $"tool source '{source.Name}' offers a tool that cannot be a skill: {ex.Message}", ex) { Code = "skill_conflict" };
                }
            }
        }

        return resolved;
    }

    /// <summary>Adds an agent as a skill, with the JSON schema its arguments must satisfy.</summary>
    /// <param name="name">The skill's name.</param>
    /// <param name="description">What it does.</param>
    /// <param name="agent">Runs the skill; its input is the arguments as a JSON object.</param>
    /// <param name="argumentsSchema">A JSON schema, as text.</param>
    /// <exception cref="ArgumentException">The schema is not a JSON object.</exception>
    public SkillRegistry Add(string name, string description, IAgent agent, string argumentsSchema)
    {
        ArgumentNullException.ThrowIfNull(argumentsSchema);
        JsonElement schema;
        try
        {
            using var document = JsonDocument.Parse(argumentsSchema);
            schema = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"the arguments schema of skill '{name}' is not JSON: {ex.Message}", nameof(argumentsSchema), ex);
        }

        return Add(name, description, agent, schema);
    }

    /// <summary>Adds an agent as a skill, with the JSON schema its arguments must satisfy.</summary>
    /// <exception cref="ArgumentException">The schema is not a JSON object.</exception>
    public SkillRegistry Add(string name, string description, IAgent agent, JsonElement argumentsSchema)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (argumentsSchema.ValueKind != JsonValueKind.Object) throw new ArgumentException($"the arguments schema of skill '{name}' must be a JSON object", nameof(argumentsSchema));
        return Add(new Skill(name, description ?? string.Empty, argumentsSchema.Clone(), agent));
    }

    /// <summary>Adds an agent as a skill whose arguments are a <typeparamref name="TArgs"/> (the schema is derived from the type; read them with <c>input.Get&lt;TArgs&gt;()</c>).</summary>
    public SkillRegistry Add<TArgs>(string name, string description, IAgent agent) =>
        Add(name, description, agent, AIJsonUtilities.CreateJsonSchema(typeof(TArgs)));

    /// <summary>The skill called <paramref name="name"/>, if there is one.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Skill? skill) =>
        _skills.TryGetValue(name ?? string.Empty, out skill);

    /// <summary>The skill called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none.</exception>
    public Skill Get(string name) =>
        TryGet(name, out var skill) ? skill : throw new KeyNotFoundException($"there is no skill '{name}'");

    /// <summary>The skills as a planning model reads them: one entry per skill, with its description and arguments schema.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var skill in _ordered)
        {
            text.Append("- ").Append(skill.Name);
            if (!string.IsNullOrWhiteSpace(skill.Description)) text.Append(": ").Append(skill.Description.Trim());
            text.Append("\n  arguments schema: ").Append(skill.ArgumentsSchema.GetRawText()).Append('\n');
        }

        return text.ToString();
    }

    private SkillRegistry Add(Skill skill)
    {
        // Skill names become the ids of the steps that run them, and journal keys hold step ids.
        if (!ValidName().IsMatch(skill.Name)) throw new ArgumentException($"skill name '{skill.Name}' must be letters, digits, '_', '-' or '.' and start with a letter", nameof(skill));
        if (!_skills.TryAdd(skill.Name, skill)) throw new ArgumentException($"skill '{skill.Name}' is already registered", nameof(skill));
        _ordered.Add(skill);
        return this;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]
    private static partial Regex ValidName();
}
