using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Baton.AI.Planning;

/// <summary>
/// Turns a goal (its input) into a validated <see cref="Plan"/> over a <see cref="SkillRegistry"/>:
/// asks an <see cref="IChatClient"/> for a plan in a JSON schema response format, checks it with a
/// <see cref="PlanValidator"/>, and, when it is invalid, asks again with every reason, up to
/// <see cref="PlannerOptions.MaxReplans"/> times. Its output is the plan's JSON form; when no valid
/// plan comes, it fails (recoverable, code <c>invalid_plan</c>) with the reasons.
/// </summary>
public sealed class PlannerAgent : IAgent
{
    private readonly IChatClient _chatClient;

    /// <summary>Creates the planner.</summary>
    public PlannerAgent(IChatClient chatClient, SkillRegistry skills, PlannerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(skills);
        _chatClient = chatClient;
        Options = options ?? new PlannerOptions();
        Validator = new PlanValidator(skills, Options.MaxSteps);
    }

    /// <inheritdoc/>
    public string Name => Options.Name;

    /// <summary>How the planner plans.</summary>
    public PlannerOptions Options { get; }

    /// <summary>What checks the plans.</summary>
    public PlanValidator Validator { get; }

    /// <summary>The skills plans may use.</summary>
    public SkillRegistry Skills => Validator.Skills;

    /// <inheritdoc/>
    public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var goal = input.AsText();
        var validator = await ValidatorForAsync(context, cancellationToken).ConfigureAwait(false);
        return await PlanAsync(validator, goal, $"Goal:\n{goal}", revision: 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The validator of a run's plans: over the skills with the tools of the registry's sources added.</summary>
    internal async ValueTask<PlanValidator> ValidatorForAsync(IStepContext context, CancellationToken cancellationToken)
    {
        var skills = await Skills.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
        return ReferenceEquals(skills, Skills) ? Validator : new PlanValidator(skills, Options.MaxSteps);
    }

    /// <summary>
    /// Asks for a plan with <paramref name="request"/> as the user's message, and again with the
    /// reasons while the plan is invalid; the output is the plan with its goal and revision.
    /// </summary>
    internal async ValueTask<AgentResult> PlanAsync(PlanValidator validator, string goal, string request, int revision, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, SystemPrompt(validator.Skills)),
            new(ChatRole.User, request),
        };
        var options = Options.ChatOptions?.Clone() ?? new ChatOptions();
        // Made per request, so skills registered after the planner was created are offered too.
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema(PlanSchema(validator.Skills), "plan", "A plan: skill steps with their dependencies.");
        var usage = Usage.None;
        IReadOnlyList<string> problems = [];
        var attempts = Options.MaxReplans + 1;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var response = await _chatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            usage += new Usage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0, 0m);
            var (plan, found) = validator.Validate(response.Text ?? string.Empty);
            if (plan is not null && found.Count == 0)
            {
                return AgentResult.Success((plan with { Goal = goal, Revision = revision }).ToPayload(), usage: usage);
            }

            problems = found;
            if (attempt == attempts) break;
            messages.AddRange(response.Messages);
            messages.Add(new ChatMessage(ChatRole.User, Reasons(problems)));
        }

        return new AgentResult
        {
            Output = Payload.Empty,
            Usage = usage,
            Error = new StepError(ErrorKind.Recoverable,
                $"no valid plan after {attempts} request(s): {string.Join("; ", problems)}") { Code = "invalid_plan" },
        };
    }

    /// <summary>The message that asks the model again: every reason, one a line.</summary>
    internal static string Reasons(IReadOnlyList<string> problems)
    {
        var text = new StringBuilder("That plan is not valid:\n");
        foreach (var problem in problems) text.Append("- ").Append(problem).Append('\n');
        text.Append("Reply with a corrected plan, as JSON only.");
        return text.ToString();
    }

    private string SystemPrompt(SkillRegistry skills)
    {
        var text = new StringBuilder();
        text.Append("""
            You are a planner. Turn the user's goal into a plan over the skills below, and reply with the plan as JSON only:
            { "steps": [ { "id": "s1", "skill": "<skill name>", "args": { ... }, "dependsOn": [] } ], "output": "<id of the step whose output answers the goal>" }

            Rules:
            - Every step uses one of the skills below, with "args" that satisfy the skill's arguments schema.
            - Step ids are unique: letters, digits, '_' or '-'.
            - To pass a step's output to another step, write the argument value as {"$ref": "s1"} (all of s1's output) or
              {"$ref": "s1", "path": "items.0.title"} (a part of it); the referring step must list "s1" in its "dependsOn".
            - Steps run as soon as the steps they depend on are done; independent steps run at the same time. No cycles.
            """).Append('\n');
        text.Append("- Use at most ").Append(Options.MaxSteps).Append(" steps.\n");
        if (!string.IsNullOrWhiteSpace(Options.Instructions)) text.Append('\n').Append(Options.Instructions.Trim()).Append('\n');
        text.Append("\nSkills:\n").Append(skills.Describe());
        return text.ToString();
    }

    /// <summary>The plan's JSON schema, with the skill names as the only choices for <c>skill</c>.</summary>
    private static JsonElement PlanSchema(SkillRegistry skills)
    {
        var names = JsonSerializer.Serialize(skills.Skills.Select(s => s.Name).ToArray());
        var schema = $$"""
            {
              "type": "object",
              "properties": {
                "steps": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "id": { "type": "string" },
                      "skill": { "type": "string", "enum": {{names}} },
                      "args": { "type": "object" },
                      "dependsOn": { "type": "array", "items": { "type": "string" } }
                    },
                    "required": ["id", "skill", "args", "dependsOn"]
                  }
                },
                "output": { "type": ["string", "null"] }
              },
              "required": ["steps", "output"]
            }
            """;
        using var document = JsonDocument.Parse(schema);
        return document.RootElement.Clone();
    }
}
