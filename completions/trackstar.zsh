
#compdef trackstar

_trackstar_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _TRACKSTAR_COMPLETE=complete_zsh trackstar)
}

compdef _trackstar_completion trackstar

