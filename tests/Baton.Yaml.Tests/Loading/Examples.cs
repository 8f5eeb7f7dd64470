namespace Baton.Yaml.Tests.Loading;

/// <summary>Workflow files the loader tests share.</summary>
internal static class Examples
{
    /// <summary>"A first file" of WORKFLOW-FORMAT.md, as written there.</summary>
    public const string FirstFile = """
        version: 1
        name: ai-trends-report
        description: Research, analyze and write a report.

        inputs:
          topic: { type: string, default: "AI trends" }

        models:
          local:
            provider: scripted          # built in: deterministic replies, for demos and tests
            replies:
              - "Finding: agents are moving into production."
              - '{"analysis": "Adoption is rising.", "confidence": 0.9}'
              - "Report: adoption of AI agents is rising."

        agents:
          researcher:
            model: local
            instructions: "Find the key trends about {{ inputs.topic }}."
          analyst:
            model: local
            instructions: "Analyze these findings."
            output:
              schema:
                type: object
                properties: { analysis: { type: string }, confidence: { type: number } }
                required: [analysis, confidence]
          writer:
            model: local
            instructions: "Write a report from: {{ input.analysis }}"

        workflow:
          sequential: [researcher, analyst, writer]
        """;

    /// <summary>Every step kind and option in one file.</summary>
    public const string EveryStep = """
        version: 1
        name: everything
        inputs:
          topic: { type: string, required: true }
          rounds: { type: number, default: 2 }
        models:
          local:
            provider: scripted
            rules:
              - { match: "billing", reply: "billing" }
            replies: ["yes", { text: "maybe", confidence: 0.4 }, { tool: search, args: { q: agents } }]
            delay: 20ms
            faults: [{ call: 2, status: 429, retryAfter: 1s }, { call: 5, status: timeout }]
        resources:
          api: { requestsPerMinute: 60, maxConcurrency: 4 }
        agents:
          research: { model: local, instructions: "Research {{ input }}", resource: api, maxTurns: 4 }
          judge: { model: local, instructions: "Pick one." }
          shout: { template: "{{ input | upcase }}" }
          pack: { template: '{"topic": "{{ inputs.topic }}"}', json: true }
          inner: { workflow: { sequential: [shout, pack] } }
        on:
          "reports.*": [shout]
        limits: { maxSteps: 200, timeout: 5m, maxTokens: 10000, maxCost: 2.5, maxParallel: 8 }
        workflow:
          sequential:
            - research
            - { agent: research, id: again, input: "More on {{ input }}", as: notes, retry: { maxAttempts: 4, backoff: 1s }, timeout: 30s, onError: shout }
            - parallel: { branches: { a: research, b: shout }, merge: object, maxParallel: 2 }
            - parallel: { branches: [research, judge], merge: { vote: { strategy: weighted, onTie: first } } }
            - foreach: { items: "inputs.topic.split(' ')", do: shout, merge: concat, maxParallel: 3 }
            - route: { classify: "input.length > 3 ? 'long' : 'short'", routes: { long: [research, judge], short: shout }, default: short, validate: "output.length > 0", maxAttempts: 2 }
            - states:
                draft: { do: research, next: [{ when: "confidence < 0.7", goto: draft }, { goto: review }] }
                review: { do: judge, next: end }
              start: draft
            - vote: { voters: [research, judge], strategy: judge, judge: judge, onTie: human }
            - ask: "Approve {{ input }}?"
            - emit: { topic: reports.done, data: { topic: "{{ inputs.topic }}", n: 3 } }
            - set: { count: "(state.count || 0) + 1" }
            - inner
            - graph:
                nodes:
                  a: { do: shout }
                  b: { do: { agent: pack, input: "{{ input }}" } }
                  write: { do: shout, after: [a, b] }
        """;
}
