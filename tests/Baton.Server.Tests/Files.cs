namespace Baton.Server.Tests;

/// <summary>The workflow files the tests' server offers, all on the scripted model.</summary>
internal static class Files
{
    public const string Report = """
        version: 1
        name: report
        description: Research, then write.
        inputs:
          topic: { type: string, default: "AI trends" }
          pages: { type: number }
        models:
          local:
            provider: scripted
            replies:
              - "Finding: agents are moving into production."
              - "Report: adoption of AI agents is rising."
        agents:
          researcher: { model: local, instructions: "Find trends about {{ inputs.topic }}." }
          writer: { model: local, instructions: "Write a report." }
        workflow:
          sequential: [researcher, writer]
        """;

    public const string Approval = """
        version: 1
        name: approval
        description: A draft waits for a person's approval.
        inputs:
          topic: { type: string, required: true }
        models:
          local:
            provider: scripted
            replies: ["Draft about the topic."]
        agents:
          draft: { model: local, instructions: "Draft {{ inputs.topic }}." }
          publish: { template: "Published: {{ input }}" }
        workflow:
          sequential:
            - draft
            - ask:
                prompt: "Publish '{{ input }}'? (yes/no)"
                choices: [yes, no]
            - publish
        """;

    /// <summary>A model call that takes an hour: the run is surely still running when a test acts on it.</summary>
    public const string Slow = """
        version: 1
        name: slow
        models:
          local:
            provider: scripted
            delay: 1h
            replies: ["Done at last."]
        agents:
          think: { model: local, instructions: "Think." }
        workflow: think
        """;

    /// <summary>A model whose key is in an environment variable nobody sets: listed, but it cannot run.</summary>
    public const string Secret = """
        version: 1
        name: secret
        models:
          remote:
            provider: openai
            model: gpt-4o-mini
            endpoint: http://127.0.0.1:9/v1
            apiKey: ${env.BATON_SERVER_TESTS_UNSET_KEY}
        agents:
          ask: { model: remote, instructions: "Hello." }
        workflow: ask
        """;

    public static IReadOnlyList<(string Name, string Text)> All { get; } = [("report.yaml", Report), ("approval.yaml", Approval), ("slow.yaml", Slow), ("secret.yaml", Secret)];
}
