namespace Baton;

/// <summary>How a composite step's children ended (see <see cref="ChildScheduler"/>).</summary>
/// <param name="Outcomes">Each child's outcome, by position; default for a child that never started.</param>
/// <param name="Started">Which children started.</param>
/// <param name="FirstFailed">The child that failed first in time (the cause), or -1.</param>
/// <param name="Halt">What stops more than the step — the run cancelled, a limit, a person to wait for — or null.</param>
internal readonly record struct ChildrenOutcome(ScopeOutcome[] Outcomes, bool[] Started, int FirstFailed, ScopeOutcome? Halt)
{
    /// <summary>
    /// The partial results of a failed composite: a completed child gives its output; one that stopped part-way gives
    /// the outputs of the steps it completed (nothing computed is lost).
    /// </summary>
    public async ValueTask<Payload> PartialAsync(StepContext context, IReadOnlyList<ChildScope> children)
    {
        var properties = new List<KeyValuePair<string, Payload?>>();
        for (var i = 0; i < children.Count; i++)
        {
            if (!Started[i]) continue;
            if (Outcomes[i].Kind == OutcomeKind.Completed)
            {
                properties.Add(new(children[i].Name, Outcomes[i].Output));
                continue;
            }

            var done = await PartialResults.ScopeOutputsAsync(context.Run.Host.Store, context.RunId, context.ChildPrefix(children[i].Name)).ConfigureAwait(false);
            if (done.Count > 0) properties.Add(new(children[i].Name, JsonPayloads.Object(done)));
        }

        return JsonPayloads.Object(properties);
    }
}
