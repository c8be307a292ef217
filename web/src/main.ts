// The web app's entry: the theme, then the app shell. Monaco is not imported here; cell
// editors load it after the first paint (see monaco-loader.ts).
import './styles/theme.css';
import './components/raft-lab-app.ts';
