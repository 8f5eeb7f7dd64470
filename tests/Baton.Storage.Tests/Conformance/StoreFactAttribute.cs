using Xunit.Abstractions;
using Xunit.Sdk;

namespace Baton.Storage.Tests.Conformance;

/// <summary>
/// A conformance test: it runs for every store class deriving from the suite, and is skipped, with the reason, in a
/// class marked <see cref="RequiresPostgresAttribute"/> when no PostgreSQL server is reachable.
/// </summary>
[XunitTestCaseDiscoverer("Baton.Storage.Tests.Conformance.StoreFactDiscoverer", "Baton.Storage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose tests need the PostgreSQL server of <see cref="PostgresServer"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>Finds conformance tests, deciding at discovery whether their store's server is there.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any();
        var skip = needsPostgres ? PostgresServer.SkipReason : null;
        yield return new StoreTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

/// <summary>A test case that may be skipped for a reason found at discovery.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    private string? _skip;

    [Obsolete("For deserialization only")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string? skip)
        : base(diagnostics, display, displayOptions, testMethod) => _skip = skip;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _skip ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Skip", _skip);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        // Before the base: it initializes the test case, which reads the skip reason.
        _skip = data.GetValue<string?>("Skip");
        base.Deserialize(data);
    }
}
