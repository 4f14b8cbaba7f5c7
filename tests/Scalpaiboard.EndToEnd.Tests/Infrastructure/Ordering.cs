using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Scalpaiboard.EndToEnd.Tests.Infrastructure.OrderedTestFramework", "Scalpaiboard.EndToEnd.Tests")]
[assembly: TestCaseOrderer("Scalpaiboard.EndToEnd.Tests.Infrastructure.RunOrderCaseOrderer", "Scalpaiboard.EndToEnd.Tests")]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Scalpaiboard.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Position of a test class (or method, within its class) in the run: lower first, default 0. The whole assembly
/// shares one running system, so checks that disturb it (kill -9 of a service, the final shutdown) run last.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RunOrderAttribute(int order) : Attribute
{
    public int Order { get; } = order;

    internal static int Of(IEnumerable<IAttributeInfo> attributes) =>
        attributes.Select(a => a.GetNamedArgument<int>(nameof(Order))).DefaultIfEmpty(0).First();
}

/// <summary>xunit 2 runs test classes in the order their test cases arrive: this executor sorts them by [RunOrder].</summary>
public sealed class OrderedTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider source, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, source, diagnostics)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(
                testCases.OrderBy(tc => RunOrderAttribute.Of(tc.TestMethod.TestClass.Class.GetCustomAttributes(typeof(RunOrderAttribute))))
                    .ThenBy(tc => tc.TestMethod.TestClass.Class.Name, StringComparer.Ordinal)
                    .ToList(),
                executionMessageSink, executionOptions);
    }
}

/// <summary>Within a class: by [RunOrder] on the method, then by name.</summary>
public sealed class RunOrderCaseOrderer : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(tc => RunOrderAttribute.Of(tc.TestMethod.Method.GetCustomAttributes(typeof(RunOrderAttribute))))
            .ThenBy(tc => tc.TestMethod.Method.Name, StringComparer.Ordinal)
            .ToList();
}
