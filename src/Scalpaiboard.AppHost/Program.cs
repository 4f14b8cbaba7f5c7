Console.WriteLine("Scalpaiboard AppHost: not built yet.");
return 1;
