using Microsoft.Extensions.AI;

namespace Baton.AI;

/// <summary>
/// A tool that runs only after a person says yes: each call a <see cref="ModelAgent"/> makes suspends the run (as an
/// <c>ask</c> step does) with a question naming the tool and its arguments. The answer <c>yes</c> runs it; any other
/// answer, or no answer within <see cref="Timeout"/>, refuses it and the model is told so. Nothing runs without its
/// approval, even after a crash or a restart, and an approved call that completed is journaled so it never runs twice.
/// It wraps an <see cref="ApprovalRequiredAIFunction"/>, so other tool loops see it needs approval; a plain
/// <see cref="ApprovalRequiredAIFunction"/> is treated the same way by a <see cref="ModelAgent"/>, with no timeout.
/// </summary>
public sealed class ApprovalRequiredTool : DelegatingAIFunction
{
    /// <summary>Puts <paramref name="tool"/> behind a person's approval.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="timeout">How long to wait for the answer before refusing the call; null waits for ever.</param>
    public ApprovalRequiredTool(AIFunction tool, TimeSpan? timeout = null)
        : base(new ApprovalRequiredAIFunction(tool))
    {
        if (timeout is { } t) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, TimeSpan.Zero, nameof(timeout));
        Timeout = timeout;
    }

    /// <summary>How long a call waits for its approval before it is refused; null waits for ever.</summary>
    public TimeSpan? Timeout { get; }
}
