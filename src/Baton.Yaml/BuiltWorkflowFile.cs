using Baton.Yaml.Model;

namespace Baton.Yaml;

/// <summary>A workflow file made into engine objects: the workflow, its event subscriptions and what a runtime needs for them.</summary>
/// <param name="Document">The file as read.</param>
/// <param name="Workflow">The workflow the C# builders would make for it.</param>
/// <param name="Subscriptions">Topic patterns and the workflow each matching event starts.</param>
public sealed record BuiltWorkflowFile(WorkflowDocument Document, Workflow Workflow, IReadOnlyList<(string Topic, Workflow Workflow)> Subscriptions)
{
    /// <summary>The file's named resources, for <see cref="BatonOptions.Resources"/>.</summary>
    public IReadOnlyDictionary<string, ResourceOptions> Resources => Document.Resources;

    /// <summary>
    /// The workflow of this file named <paramref name="name"/>: the file's own, or one its <c>on</c> subscriptions start
    /// (a child run); null when the file has none of that name.
    /// </summary>
    public Workflow? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Workflow.Name == name) return Workflow;
        foreach (var (_, subscribed) in Subscriptions)
        {
            if (subscribed.Name == name) return subscribed;
        }

        return null;
    }

    /// <summary>Subscribes the file's <c>on</c> workflows on a runtime's event bus; dispose the results to unsubscribe.</summary>
    public IReadOnlyList<Subscription> Subscribe(BatonRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return [.. Subscriptions.Select(s => runtime.Events.Subscribe(s.Topic, s.Workflow))];
    }
}
