using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Baton.Docs.Tests;

/// <summary>Compiles the C# blocks of the pages with Roslyn against the Baton assemblies this test project references.</summary>
internal static partial class SnippetCompiler
{
    // A user's project has the SDK's implicit usings; a snippet may rely on them as that project would.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The errors of compiling a block, each as <c>file:line:column: message</c> in the page; empty when it compiles.</summary>
    public static IReadOnlyList<string> Errors(CodeBlock block, IReadOnlyList<string> pageUsings)
    {
        var source = Wrap(block, pageUsings);
        var tree = CSharpSyntaxTree.ParseText(source, ParseOptions, path: block.File, encoding: Encoding.UTF8);
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.cs", encoding: Encoding.UTF8);
        var hasStatements = tree.GetCompilationUnitRoot().Members.Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var options = new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create("Snippet", [usings, tree], LazyReferences.Value, options);
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var span = d.Location.GetMappedLineSpan();
                return $"{span.Path}:{span.StartLinePosition.Line + 1}:{span.StartLinePosition.Character + 1}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })
            .ToArray();
    }

    /// <summary>The source compiled for a block: a whole program as written, or a fragment after its page's usings and its declared context.</summary>
    private static string Wrap(CodeBlock block, IReadOnlyList<string> pageUsings)
    {
        var source = new StringBuilder();
        var fragment = Snippets.FragmentContext(block.Marker);
        if (fragment is not null)
        {
            source.Append("#line hidden\n");
            foreach (var name in pageUsings) source.Append("using ").Append(name).Append(";\n");
            foreach (var parameter in fragment) source.Append(parameter).Append(" = default!;\n");
        }

        // Map the block's lines to the page, so an error names the page's file and line.
        source.Append("#line ").Append(block.Line).Append(" \"").Append(block.File).Append("\"\n");
        source.Append(block.Code).Append('\n');
        return source.ToString();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The runtime's own assemblies, then every Baton assembly and its dependencies as this test project loads them.
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var paths = new HashSet<string>(trusted.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
            || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll"), StringComparer.Ordinal);
        foreach (var name in new[] { "Baton", "Baton.AI", "Baton.Yaml", "Baton.Testing", "Baton.Storage.Sqlite", "Baton.Storage.Postgres", "Baton.AgentFramework", "Baton.Server", "Baton.Orleans" })
        {
            Load(Assembly.Load(name), paths, new HashSet<string>(StringComparer.Ordinal));
        }

        // A host's container, and xunit for the testing kit's examples.
        Load(typeof(Microsoft.Extensions.DependencyInjection.ServiceProvider).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        Load(typeof(FactAttribute).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        // A cluster's silo host (distributed.md): the generic host and Redis membership.
        Load(typeof(Microsoft.Extensions.Hosting.Host).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        Load(typeof(Microsoft.Extensions.Hosting.RedisClusteringISiloBuilderExtensions).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        Load(typeof(Assert).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        // Microsoft Agent Framework's agents (ChatClientAgent), which the interop page puts inside Baton workflows.
        Load(typeof(Microsoft.Agents.AI.ChatClientAgent).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        // An ASP.NET Core application hosting Baton.Server (WebApplication and its builder).
        Load(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly, paths, new HashSet<string>(StringComparer.Ordinal));
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static void Load(Assembly assembly, HashSet<string> paths, HashSet<string> seen)
    {
        if (!seen.Add(assembly.FullName!) || string.IsNullOrEmpty(assembly.Location)) return;
        paths.Add(assembly.Location);
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            Assembly loaded;
            try
            {
                loaded = Assembly.Load(reference);
            }
            catch (FileNotFoundException)
            {
                continue; // an optional dependency this process never needs
            }

            Load(loaded, paths, seen);
        }
    }
}
