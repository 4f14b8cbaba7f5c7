// The commands write to the process-wide Console; CliRunner serialises them, and the suites stay small.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
